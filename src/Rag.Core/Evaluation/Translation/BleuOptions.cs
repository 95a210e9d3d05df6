namespace Rag.Core.Evaluation.Translation;

/// <summary>How <see cref="BleuMetric"/> tokenizes before counting n-grams (sacreBLEU's <c>tokenize</c>).</summary>
public enum BleuTokenizer
{
    /// <summary>sacreBLEU's default <c>13a</c>: mteval-v13a.pl, the WMT standard.</summary>
    Mteval13a,

    /// <summary>sacreBLEU's <c>intl</c>: mteval-v14.pl's international tokenization (Unicode punctuation and symbols).</summary>
    International,

    /// <summary>sacreBLEU's <c>none</c>: the text is already tokenized; split on white space only.</summary>
    None,
}

/// <summary>
/// Smoothing of zero n-gram precisions (sacreBLEU's <c>smooth_method</c>; Chen and Cherry, WMT 2014).
/// </summary>
public enum BleuSmoothing
{
    /// <summary>No smoothing: a zero precision makes the score zero.</summary>
    None,

    /// <summary>Method 1: a zero match count becomes <see cref="BleuOptions.SmoothingValue"/> (default 0.1).</summary>
    Floor,

    /// <summary>Method 2: add <see cref="BleuOptions.SmoothingValue"/> (default 1) to matches and totals of orders 2 and up.</summary>
    AddK,

    /// <summary>Method 3, sacreBLEU's default: the NIST geometric sequence 1/2, 1/4, ... for successive zero precisions.</summary>
    Exponential,
}

/// <summary>Settings of <see cref="BleuMetric"/>; the defaults are sacreBLEU's.</summary>
public sealed record BleuOptions
{
    /// <summary>Tokenizer. <value>Default <see cref="BleuTokenizer.Mteval13a"/>.</value></summary>
    public BleuTokenizer Tokenizer { get; init; } = BleuTokenizer.Mteval13a;

    /// <summary>Smoothing method. <value>Default <see cref="BleuSmoothing.Exponential"/>.</value></summary>
    public BleuSmoothing Smoothing { get; init; } = BleuSmoothing.Exponential;

    /// <summary>
    /// Value for <see cref="BleuSmoothing.Floor"/> and <see cref="BleuSmoothing.AddK"/>; null takes sacreBLEU's default
    /// (0.1 and 1). <value>Default null.</value>
    /// </summary>
    public double? SmoothingValue { get; init; }

    /// <summary>Lowercase hypotheses and references first (case-insensitive BLEU). <value>Default false.</value></summary>
    public bool Lowercase { get; init; }

    /// <summary>Highest n-gram order. <value>Default 4.</value></summary>
    public int MaxNgramOrder { get; init; } = 4;

    /// <summary>
    /// Average only over the n-gram orders the hypothesis has (sacreBLEU's <c>effective_order</c>); use it for
    /// sentence-level BLEU. <value>Default false.</value>
    /// </summary>
    public bool EffectiveOrder { get; init; }

    /// <summary>sacreBLEU's <c>raw_corpus_bleu</c> settings: no tokenization, floor smoothing of 0.01, effective order.</summary>
    public static BleuOptions Raw { get; } = new()
    {
        Tokenizer = BleuTokenizer.None,
        Smoothing = BleuSmoothing.Floor,
        SmoothingValue = 0.01,
        EffectiveOrder = true,
    };

    /// <summary>Settings for sentence-level BLEU: sacreBLEU's defaults with effective order on.</summary>
    public static BleuOptions Sentence { get; } = new() { EffectiveOrder = true };

    internal double ResolvedSmoothingValue => SmoothingValue ?? Smoothing switch
    {
        BleuSmoothing.Floor => 0.1,
        BleuSmoothing.AddK => 1,
        _ => 0,
    };

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxNgramOrder, 1, nameof(MaxNgramOrder));
        if (!Enum.IsDefined(Tokenizer))
        {
            throw new ArgumentOutOfRangeException(nameof(Tokenizer), Tokenizer, "Unknown BLEU tokenizer.");
        }

        if (!Enum.IsDefined(Smoothing))
        {
            throw new ArgumentOutOfRangeException(nameof(Smoothing), Smoothing, "Unknown BLEU smoothing method.");
        }

        if (SmoothingValue is { } v && (double.IsNaN(v) || v < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(SmoothingValue), v, "The smoothing value must be a non-negative number.");
        }
    }
}
