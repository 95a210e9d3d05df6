using System.Text;
using Rag.Core.Evaluation.Internal;

namespace Rag.Core.Evaluation.Summarization;

/// <summary>
/// ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum exactly as Google's rouge-score package computes them (whose own
/// ground truth is ROUGE-1.5.5): lower case, every run of characters other than a-z and 0-9 is a separator, optional
/// Porter stemming of tokens longer than three letters (NLTK's stemmer, as rouge-score uses), n-gram counts clipped
/// against the target, and for ROUGE-Lsum sentences split on newlines with ROUGE-1.5.5's guard against counting a
/// token twice.
/// </summary>
public sealed class RougeMetric
{
    /// <summary>Creates a scorer.</summary>
    /// <param name="useStemmer">Porter-stem tokens longer than three characters (rouge-score's <c>use_stemmer</c>).</param>
    public RougeMetric(bool useStemmer = false)
    {
        UseStemmer = useStemmer;
    }

    /// <summary>Whether tokens are stemmed.</summary>
    public bool UseStemmer { get; }

    /// <summary>rouge-score's tokenizer: the tokens ROUGE compares.</summary>
    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TokenizeText(text, UseStemmer);
    }

    /// <summary>All four scores of <paramref name="prediction"/> against <paramref name="target"/>.</summary>
    public RougeScores Score(string target, string prediction)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(prediction);
        var t = TokenizeText(target, UseStemmer);
        var p = TokenizeText(prediction, UseStemmer);
        return new RougeScores(NgramScore(t, p, 1), NgramScore(t, p, 2), LcsScore(t, p), RougeLsum(target, prediction));
    }

    /// <summary>The best score over several targets, per type, chosen by F1 (rouge-score's <c>score_multi</c>; first wins ties).</summary>
    public RougeScores ScoreMulti(IReadOnlyList<string> targets, string prediction)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0)
        {
            throw new ArgumentException("At least one target is required.", nameof(targets));
        }

        var all = targets.Select(t => Score(t, prediction)).ToList();
        static RougeScore Best(IEnumerable<RougeScore> scores) => scores.Aggregate((a, b) => b.F1 > a.F1 ? b : a);
        return new RougeScores(Best(all.Select(s => s.Rouge1)), Best(all.Select(s => s.Rouge2)), Best(all.Select(s => s.RougeL)), Best(all.Select(s => s.RougeLsum)));
    }

    /// <summary>ROUGE-N for any n of 1 or more.</summary>
    public RougeScore RougeN(string target, string prediction, int n)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        return NgramScore(TokenizeText(target, UseStemmer), TokenizeText(prediction, UseStemmer), n);
    }

    /// <summary>ROUGE-L: longest common subsequence of the two token sequences.</summary>
    public RougeScore RougeL(string target, string prediction)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(prediction);
        return LcsScore(TokenizeText(target, UseStemmer), TokenizeText(prediction, UseStemmer));
    }

    /// <summary>ROUGE-Lsum: summary-level LCS over newline-separated sentences.</summary>
    public RougeScore RougeLsum(string target, string prediction)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(prediction);
        return SummaryLevelLcs(Sentences(target), Sentences(prediction));
    }

    internal static List<string> TokenizeText(string text, bool stem)
    {
        // Lower-case, then every run outside [a-z0-9] separates: non-ASCII letters vanish, as in rouge-score.
        string lower = PythonText.Lower(text);
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (char c in lower)
        {
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                current.Append(c);
            }
            else if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }

        if (stem)
        {
            for (int i = 0; i < tokens.Count; i++)
            {
                if (tokens[i].Length > 3)
                {
                    tokens[i] = PorterStemmer.Stem(tokens[i]);
                }
            }

            tokens.RemoveAll(t => t.Length == 0);
        }

        return tokens;
    }

    private List<List<string>> Sentences(string text) =>
        text.Split('\n').Where(s => s.Length > 0).Select(s => TokenizeText(s, UseStemmer)).ToList();

    private static RougeScore NgramScore(List<string> target, List<string> prediction, int n)
    {
        var t = Ngrams(target, n);
        var p = Ngrams(prediction, n);
        long overlap = 0;
        foreach (var (ngram, count) in t)
        {
            overlap += Math.Min(count, p.GetValueOrDefault(ngram));
        }

        long tCount = t.Values.Sum(), pCount = p.Values.Sum();
        return RougeScore.From(overlap / (double)Math.Max(pCount, 1), overlap / (double)Math.Max(tCount, 1));
    }

    private static Dictionary<string, int> Ngrams(List<string> tokens, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= tokens.Count; i++)
        {
            string key = n == 1 ? tokens[i] : string.Join(' ', tokens.GetRange(i, n));
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return counts;
    }

    private static RougeScore LcsScore(List<string> target, List<string> prediction)
    {
        if (target.Count == 0 || prediction.Count == 0)
        {
            return RougeScore.Zero;
        }

        var table = LcsTable(target, prediction);
        int lcs = table[target.Count, prediction.Count];
        return RougeScore.From(lcs / (double)prediction.Count, lcs / (double)target.Count);
    }

    private static int[,] LcsTable(List<string> reference, List<string> candidate)
    {
        var table = new int[reference.Count + 1, candidate.Count + 1];
        for (int i = 1; i <= reference.Count; i++)
        {
            for (int j = 1; j <= candidate.Count; j++)
            {
                table[i, j] = string.Equals(reference[i - 1], candidate[j - 1], StringComparison.Ordinal)
                    ? table[i - 1, j - 1] + 1
                    : Math.Max(table[i - 1, j], table[i, j - 1]);
            }
        }

        return table;
    }

    // One LCS as indices into the reference, read back the way rouge-score does (prefer moving in the candidate on ties).
    private static List<int> LcsIndices(List<string> reference, List<string> candidate)
    {
        var t = LcsTable(reference, candidate);
        var indices = new List<int>();
        int i = reference.Count, j = candidate.Count;
        while (i > 0 && j > 0)
        {
            if (string.Equals(reference[i - 1], candidate[j - 1], StringComparison.Ordinal))
            {
                indices.Add(i - 1);
                i--;
                j--;
            }
            else if (t[i, j - 1] > t[i - 1, j])
            {
                j--;
            }
            else
            {
                i--;
            }
        }

        indices.Reverse();
        return indices;
    }

    private static RougeScore SummaryLevelLcs(List<List<string>> reference, List<List<string>> candidate)
    {
        if (reference.Count == 0 || candidate.Count == 0)
        {
            return RougeScore.Zero;
        }

        int m = reference.Sum(s => s.Count), n = candidate.Sum(s => s.Count);
        if (m == 0 || n == 0)
        {
            return RougeScore.Zero;
        }

        var refCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var candCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in reference.SelectMany(s => s))
        {
            refCounts[token] = refCounts.GetValueOrDefault(token) + 1;
        }

        foreach (var token in candidate.SelectMany(s => s))
        {
            candCounts[token] = candCounts.GetValueOrDefault(token) + 1;
        }

        int hits = 0;
        foreach (var r in reference)
        {
            var union = new SortedSet<int>();
            foreach (var c in candidate)
            {
                union.UnionWith(LcsIndices(r, c));
            }

            // ROUGE-1.5.5 counts a token only while both sides still have an unused copy of it.
            foreach (int index in union)
            {
                string token = r[index];
                if (candCounts.GetValueOrDefault(token) > 0 && refCounts.GetValueOrDefault(token) > 0)
                {
                    hits++;
                    candCounts[token]--;
                    refCounts[token]--;
                }
            }
        }

        return RougeScore.From(hits / (double)n, hits / (double)m);
    }
}
