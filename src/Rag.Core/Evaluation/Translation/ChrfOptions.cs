namespace Rag.Core.Evaluation.Translation;

/// <summary>Settings of <see cref="ChrfMetric"/>; the defaults are sacreBLEU's chrF2 (chrF++ with <see cref="WordOrder"/> 2).</summary>
public sealed record ChrfOptions
{
    /// <summary>Character n-gram order. <value>Default 6.</value></summary>
    public int CharOrder { get; init; } = 6;

    /// <summary>Word n-gram order; 2 gives chrF++. <value>Default 0.</value></summary>
    public int WordOrder { get; init; }

    /// <summary>Weight of recall against precision (F-beta). <value>Default 2.</value></summary>
    public double Beta { get; init; } = 2;

    /// <summary>Case-insensitive matching. <value>Default false.</value></summary>
    public bool Lowercase { get; init; }

    /// <summary>Keep white space inside character n-grams. <value>Default false.</value></summary>
    public bool IncludeWhitespace { get; init; }

    /// <summary>
    /// Epsilon smoothing as chrF++.py, Moses and NLTK do (every order counts, empty ones as 1e-16); false averages
    /// precision and recall over the orders that exist, as sacreBLEU does by default. <value>Default false.</value>
    /// </summary>
    public bool EpsilonSmoothing { get; init; }

    /// <summary>chrF++: word bigrams added to character 6-grams.</summary>
    public static ChrfOptions ChrfPlusPlus { get; } = new() { WordOrder = 2 };

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(CharOrder, 0, nameof(CharOrder));
        ArgumentOutOfRangeException.ThrowIfLessThan(WordOrder, 0, nameof(WordOrder));
        if (CharOrder + WordOrder == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(CharOrder), "CharOrder + WordOrder must be at least 1.");
        }

        if (double.IsNaN(Beta) || Beta < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "Beta must be a non-negative number.");
        }
    }
}
