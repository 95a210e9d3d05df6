using System.Text;
using Rag.Core.Evaluation.Internal;

namespace Rag.Core.Evaluation.QuestionAnswering;

/// <summary>
/// Exact match and token F1 of the official SQuAD v1.1 evaluation script: answers are normalized (lower case, ASCII
/// punctuation removed, the articles "a", "an" and "the" removed as whole words, white space collapsed), and a
/// prediction is scored against every gold answer, keeping the best.
/// </summary>
public static class SquadMetrics
{
    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    private static readonly string[] Articles = ["a", "an", "the"];

    /// <summary>The official <c>normalize_answer</c>.</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string lower = PythonText.Lower(text);
        var noPunctuation = new StringBuilder(lower.Length);
        foreach (char c in lower)
        {
            if (!Punctuation.Contains(c, StringComparison.Ordinal))
            {
                noPunctuation.Append(c);
            }
        }

        return PythonText.CollapseWhiteSpace(RemoveArticles(noPunctuation.ToString()));
    }

    /// <summary>1 when the normalized prediction equals the normalized gold answer, else 0.</summary>
    public static double ExactMatch(string prediction, string goldAnswer) =>
        string.Equals(Normalize(prediction), Normalize(goldAnswer), StringComparison.Ordinal) ? 1 : 0;

    /// <summary>Token F1 of the normalized texts (bag of tokens; 0 when nothing is shared).</summary>
    public static double F1(string prediction, string goldAnswer)
    {
        var p = PythonText.Split(Normalize(prediction));
        var g = PythonText.Split(Normalize(goldAnswer));
        var goldCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in g)
        {
            goldCounts[t] = goldCounts.GetValueOrDefault(t) + 1;
        }

        int same = 0;
        foreach (var t in p)
        {
            if (goldCounts.TryGetValue(t, out int left) && left > 0)
            {
                same++;
                goldCounts[t] = left - 1;
            }
        }

        if (same == 0)
        {
            return 0;
        }

        double precision = same / (double)p.Count, recall = same / (double)g.Count;
        return 2 * precision * recall / (precision + recall);
    }

    /// <summary>Best exact match over the gold answers (<c>metric_max_over_ground_truths</c>).</summary>
    /// <exception cref="ArgumentException">There is no gold answer.</exception>
    public static double ExactMatch(string prediction, IEnumerable<string> goldAnswers) => MaxOver(prediction, goldAnswers, ExactMatch);

    /// <summary>Best F1 over the gold answers.</summary>
    /// <exception cref="ArgumentException">There is no gold answer.</exception>
    public static double F1(string prediction, IEnumerable<string> goldAnswers) => MaxOver(prediction, goldAnswers, F1);

    /// <summary>Both scores of one prediction, each the best over the gold answers.</summary>
    public static SquadScore Score(string prediction, IEnumerable<string> goldAnswers)
    {
        var golds = goldAnswers as IReadOnlyCollection<string> ?? goldAnswers.ToList();
        return new SquadScore(ExactMatch(prediction, golds), F1(prediction, golds));
    }

    private static double MaxOver(string prediction, IEnumerable<string> goldAnswers, Func<string, string, double> metric)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(goldAnswers);
        double best = double.NegativeInfinity;
        foreach (var gold in goldAnswers)
        {
            best = Math.Max(best, metric(prediction, gold));
        }

        return double.IsNegativeInfinity(best) ? throw new ArgumentException("At least one gold answer is required.", nameof(goldAnswers)) : best;
    }

    // re.sub(r'\b(a|an|the)\b', ' ', text) with Python's Unicode \w: an article is replaced when it stands between
    // non-word characters (or the ends of the text).
    private static string RemoveArticles(string text)
    {
        var sb = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            if (!IsWordBefore(text, i))
            {
                string? hit = null;
                foreach (var article in Articles)
                {
                    if (string.CompareOrdinal(text, i, article, 0, article.Length) == 0 && !IsWordAt(text, i + article.Length))
                    {
                        hit = article;
                        break;
                    }
                }

                if (hit is not null)
                {
                    sb.Append(' ');
                    i += hit.Length;
                    continue;
                }
            }

            sb.Append(text[i]);
            i++;
        }

        return sb.ToString();
    }

    private static bool IsWordAt(string text, int index) =>
        index < text.Length && Rune.TryGetRuneAt(text, index, out var r) && PythonText.IsWordChar(r);

    private static bool IsWordBefore(string text, int index)
    {
        if (index == 0)
        {
            return false;
        }

        int start = char.IsLowSurrogate(text[index - 1]) && index >= 2 ? index - 2 : index - 1;
        return Rune.TryGetRuneAt(text, start, out var r) && PythonText.IsWordChar(r);
    }
}

/// <summary>SQuAD scores of one prediction (0 or 1 for exact match; 0..1 for F1).</summary>
/// <param name="ExactMatch">1 when the normalized prediction equals a normalized gold answer.</param>
/// <param name="F1">Best token F1 over the gold answers.</param>
public sealed record SquadScore(double ExactMatch, double F1);
