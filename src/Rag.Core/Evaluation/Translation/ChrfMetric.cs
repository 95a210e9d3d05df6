using Rag.Core.Evaluation.Internal;
using Rag.Core.Evaluation.Translation.Internal;

namespace Rag.Core.Evaluation.Translation;

/// <summary>
/// chrF and chrF++ (Popović 2015, 2017) exactly as sacreBLEU 2.x computes them: character n-grams over code points
/// with white space removed, optional word n-grams after chrF's punctuation split, the best-F reference per segment,
/// statistics summed over the corpus. Scores are on a 0-100 scale.
/// </summary>
public sealed class ChrfMetric
{
    private const double Epsilon = 1e-16;
    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /// <summary>Creates a chrF metric; null options take sacreBLEU's chrF2 defaults.</summary>
    public ChrfMetric(ChrfOptions? options = null)
    {
        Options = options ?? new ChrfOptions();
        Options.Validate();
    }

    /// <summary>The settings in use.</summary>
    public ChrfOptions Options { get; }

    /// <summary>Corpus-level chrF; references are streams parallel to the hypotheses (null entries skipped).</summary>
    public double CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> referenceStreams)
    {
        var segments = ReferenceStreams.Segments(hypotheses, referenceStreams);
        var sums = new long[3 * (Options.CharOrder + Options.WordOrder)];
        foreach (var (hypothesis, refs) in segments)
        {
            var best = SegmentStatistics(hypothesis, refs);
            for (int k = 0; k < sums.Length; k++)
            {
                sums[k] += best[k];
            }
        }

        return FScore(sums);
    }

    /// <summary>Sentence-level chrF of one hypothesis against its references.</summary>
    public double SentenceScore(string hypothesis, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(references);
        return CorpusScore([hypothesis], references.Select(r => (IReadOnlyList<string?>)[r]).ToList());
    }

    private long[] SegmentStatistics(string hypothesis, List<string> references)
    {
        var hypNgrams = Extract(Preprocess(hypothesis));
        long[] best = [];
        double bestF = -1;
        foreach (var reference in references)
        {
            var refNgrams = Extract(Preprocess(reference));
            var stats = new long[hypNgrams.Count * 3];
            for (int k = 0; k < hypNgrams.Count; k++)
            {
                var (h, r) = (hypNgrams[k], refNgrams[k]);
                long hypCount = 0, match = 0;
                foreach (var (ngram, count) in h)
                {
                    hypCount += count;
                    if (r.TryGetValue(ngram, out int rc))
                    {
                        match += Math.Min(count, rc);
                    }
                }

                // No hits are counted for an order the reference does not have (sacreBLEU's rule).
                stats[3 * k] = r.Count > 0 ? hypCount : 0;
                stats[(3 * k) + 1] = r.Values.Sum();
                stats[(3 * k) + 2] = match;
            }

            double f = FScore(stats);
            if (f > bestF)
            {
                bestF = f;
                best = stats;
            }
        }

        return best;
    }

    private double FScore(long[] stats)
    {
        int orders = Options.CharOrder + Options.WordOrder;
        double factor = Options.Beta * Options.Beta;
        double score = 0, avgPrecision = 0, avgRecall = 0;
        int effectiveOrder = 0;
        for (int i = 0; i < orders; i++)
        {
            long nHyp = stats[3 * i], nRef = stats[(3 * i) + 1], nMatch = stats[(3 * i) + 2];
            double precision = nHyp > 0 ? nMatch / (double)nHyp : Epsilon;
            double recall = nRef > 0 ? nMatch / (double)nRef : Epsilon;
            double denominator = (factor * precision) + recall;
            score += denominator > 0 ? (1 + factor) * precision * recall / denominator : Epsilon;
            if (nHyp > 0 && nRef > 0)
            {
                avgPrecision += precision;
                avgRecall += recall;
                effectiveOrder++;
            }
        }

        if (Options.EpsilonSmoothing)
        {
            return 100 * score / orders;
        }

        if (effectiveOrder == 0)
        {
            return 0;
        }

        avgPrecision /= effectiveOrder;
        avgRecall /= effectiveOrder;
        if (avgPrecision + avgRecall == 0)
        {
            return 0;
        }

        return 100 * (1 + factor) * avgPrecision * avgRecall / ((factor * avgPrecision) + avgRecall);
    }

    private string Preprocess(string segment) => Options.Lowercase ? PythonText.Lower(segment) : segment;

    private List<Dictionary<string, int>> Extract(string line)
    {
        var result = new List<Dictionary<string, int>>(Options.CharOrder + Options.WordOrder);
        string chars = Options.IncludeWhitespace ? line : PythonText.RemoveWhiteSpace(line);
        var bounds = PythonText.CodePointBoundaries(chars);
        int length = bounds.Length - 1;
        for (int n = 1; n <= Options.CharOrder; n++)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i + n <= length; i++)
            {
                string key = chars[bounds[i]..bounds[i + n]];
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }

            result.Add(counts);
        }

        if (Options.WordOrder > 0)
        {
            var words = SplitPunctuation(line);
            for (int n = 1; n <= Options.WordOrder; n++)
            {
                var counts = new Dictionary<string, int>(StringComparer.Ordinal);
                for (int i = 0; i + n <= words.Count; i++)
                {
                    string key = string.Join(' ', words.Skip(i).Take(n));
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }

                result.Add(counts);
            }
        }

        return result;
    }

    // chrF++'s word split: one leading or trailing ASCII punctuation mark is separated from a word ('(hi)' gives '(hi' and ')').
    private static List<string> SplitPunctuation(string sentence)
    {
        var tokens = new List<string>();
        foreach (var w in PythonText.Split(sentence))
        {
            var bounds = PythonText.CodePointBoundaries(w);
            if (bounds.Length - 1 == 1)
            {
                tokens.Add(w);
            }
            else if (Punctuation.Contains(w[^1], StringComparison.Ordinal))
            {
                tokens.Add(w[..^1]);
                tokens.Add(w[^1..]);
            }
            else if (Punctuation.Contains(w[0], StringComparison.Ordinal))
            {
                tokens.Add(w[..1]);
                tokens.Add(w[1..]);
            }
            else
            {
                tokens.Add(w);
            }
        }

        return tokens;
    }
}
