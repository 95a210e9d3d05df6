using Rag.Core.Evaluation.Internal;
using Rag.Core.Evaluation.Translation.Internal;

namespace Rag.Core.Evaluation.Translation;

/// <summary>
/// BLEU (Papineni et al., 2002) exactly as sacreBLEU 2.x computes it: the same tokenizers, n-gram clipping against the
/// maximum count over references, closest reference length (ties to the shorter), brevity penalty, smoothing methods
/// and effective order. Scores are on sacreBLEU's 0-100 scale.
/// </summary>
/// <remarks>
/// References come as sacreBLEU's <em>streams</em>: each stream is parallel to the hypotheses, so
/// <c>referenceStreams[k][i]</c> is the k-th reference of hypothesis i. A null reference is skipped, which allows a
/// varying number of references per segment.
/// </remarks>
public sealed class BleuMetric
{
    // sacreBLEU floors log(0) at this value instead of -infinity (utils.my_log).
    private const double LogOfZero = -9999999999;

    /// <summary>Creates a BLEU metric; null options take sacreBLEU's defaults (13a, exponential smoothing, cased).</summary>
    public BleuMetric(BleuOptions? options = null)
    {
        Options = options ?? new BleuOptions();
        Options.Validate();
    }

    /// <summary>The settings in use.</summary>
    public BleuOptions Options { get; }

    /// <summary>Corpus-level BLEU: statistics summed over all segments, then one score.</summary>
    /// <exception cref="ArgumentException">A reference stream has a different length from the hypotheses.</exception>
    public BleuScore CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> referenceStreams)
    {
        var segments = ReferenceStreams.Segments(hypotheses, referenceStreams);
        int order = Options.MaxNgramOrder;
        var matches = new long[order];
        var totals = new long[order];
        long hypLength = 0, refLength = 0;
        foreach (var (hypothesis, refs) in segments)
        {
            var (hl, rl) = AddSegmentStatistics(hypothesis, refs, matches, totals);
            hypLength += hl;
            refLength += rl;
        }

        return ComputeFromStatistics(matches, totals, hypLength, refLength, Options);
    }

    /// <summary>Sentence-level BLEU of one hypothesis against its references (use <see cref="BleuOptions.Sentence"/>).</summary>
    public BleuScore SentenceScore(string hypothesis, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(references);
        return CorpusScore([hypothesis], references.Select(r => (IReadOnlyList<string?>)[r]).ToList());
    }

    /// <summary>
    /// BLEU from sufficient statistics (sacreBLEU's <c>BLEU.compute_bleu</c>): clipped matches and totals per order,
    /// hypothesis length and reference length.
    /// </summary>
    public static BleuScore ComputeFromStatistics(
        IReadOnlyList<long> matches, IReadOnlyList<long> totals, long hypothesisLength, long referenceLength, BleuOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(matches);
        ArgumentNullException.ThrowIfNull(totals);
        options ??= new BleuOptions();
        options.Validate();
        int order = options.MaxNgramOrder;
        if (matches.Count != order || totals.Count != order)
        {
            throw new ArgumentException($"Expected {order} match and total counts (one per n-gram order).");
        }

        double bp = 1.0;
        if (hypothesisLength < referenceLength)
        {
            bp = hypothesisLength > 0 ? Math.Exp(1 - (referenceLength / (double)hypothesisLength)) : 0.0;
        }

        var precisions = new double[order];
        if (matches.All(m => m == 0))
        {
            return new BleuScore(0.0, [.. matches], [.. totals], precisions, bp, hypothesisLength, referenceLength);
        }

        double smoothValue = options.ResolvedSmoothingValue;
        double smoothMteval = 1.0;
        int effectiveOrder = order;
        for (int n = 1; n <= order; n++)
        {
            double correct = matches[n - 1];
            double total = totals[n - 1];
            if (options.Smoothing == BleuSmoothing.AddK && n > 1)
            {
                correct += smoothValue;
                total += smoothValue;
            }

            if (total == 0)
            {
                break;
            }

            if (options.EffectiveOrder)
            {
                effectiveOrder = n;
            }

            if (correct == 0)
            {
                if (options.Smoothing == BleuSmoothing.Exponential)
                {
                    smoothMteval *= 2;
                    precisions[n - 1] = 100.0 / (smoothMteval * total);
                }
                else if (options.Smoothing == BleuSmoothing.Floor)
                {
                    precisions[n - 1] = 100.0 * smoothValue / total;
                }
            }
            else
            {
                precisions[n - 1] = 100.0 * correct / total;
            }
        }

        double logSum = 0;
        for (int i = 0; i < effectiveOrder; i++)
        {
            logSum += precisions[i] == 0.0 ? LogOfZero : Math.Log(precisions[i]);
        }

        double score = bp * Math.Exp(logSum / effectiveOrder);
        return new BleuScore(score, [.. matches], [.. totals], precisions, bp, hypothesisLength, referenceLength);
    }

    private (int HypLength, int RefLength) AddSegmentStatistics(string hypothesis, List<string> references, long[] matches, long[] totals)
    {
        int order = Options.MaxNgramOrder;
        Dictionary<string, int>? refNgrams = null;
        var refLengths = new List<int>(references.Count);
        foreach (var reference in references)
        {
            var (ngrams, length) = CountNgrams(Preprocess(reference), order);
            refLengths.Add(length);
            if (refNgrams is null)
            {
                refNgrams = ngrams;
            }
            else
            {
                foreach (var (ngram, count) in ngrams)
                {
                    refNgrams[ngram] = Math.Max(refNgrams.GetValueOrDefault(ngram), count);
                }
            }
        }

        var (hypNgrams, hypLength) = CountNgrams(Preprocess(hypothesis), order);
        foreach (var (ngram, count) in hypNgrams)
        {
            int n = 1;
            foreach (char c in ngram)
            {
                if (c == ' ')
                {
                    n++;
                }
            }

            totals[n - 1] += count;
            if (refNgrams is not null && refNgrams.TryGetValue(ngram, out int refCount))
            {
                matches[n - 1] += Math.Min(count, refCount);
            }
        }

        return (hypLength, ClosestReferenceLength(hypLength, refLengths));
    }

    private string Preprocess(string segment)
    {
        if (Options.Lowercase)
        {
            segment = PythonText.Lower(segment);
        }

        return BleuTokenizers.Tokenize(PythonText.RStrip(segment), Options.Tokenizer);
    }

    // Tokens never contain white space, so a space-joined key identifies an n-gram (and its order) uniquely.
    private static (Dictionary<string, int> Ngrams, int Length) CountNgrams(string line, int maxOrder)
    {
        var tokens = PythonText.Split(line).ToArray();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int n = 1; n <= maxOrder; n++)
        {
            for (int i = 0; i + n <= tokens.Length; i++)
            {
                string key = n == 1 ? tokens[i] : string.Join(' ', tokens, i, n);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        return (counts, tokens.Length);
    }

    private static int ClosestReferenceLength(int hypLength, List<int> refLengths)
    {
        int closestDiff = -1, closestLength = -1;
        foreach (int length in refLengths)
        {
            int diff = Math.Abs(hypLength - length);
            if (closestDiff == -1 || diff < closestDiff)
            {
                closestDiff = diff;
                closestLength = length;
            }
            else if (diff == closestDiff && length < closestLength)
            {
                closestLength = length;
            }
        }

        return closestLength;
    }
}
