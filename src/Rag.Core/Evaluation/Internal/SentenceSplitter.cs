using System.Text.RegularExpressions;

namespace Rag.Core.Evaluation.Internal;

/// <summary>
/// A small rule-based sentence splitter for evaluation: a sentence ends at '.', '!', '?' or '…' (plus closing quotes
/// or brackets) followed by white space, or at a line break; common abbreviations and single initials do not end one.
/// </summary>
internal static partial class SentenceSplitter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "u.s", "u.k", "no", "inc", "ltd", "co", "mt", "ft",
    };

    /// <summary>Splits <paramref name="text"/> into trimmed, non-empty sentences.</summary>
    public static List<string> Split(string text)
    {
        var sentences = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            int start = 0;
            foreach (Match m in Boundary().Matches(line))
            {
                int end = m.Index + m.Length;
                string candidate = line[start..end].Trim();
                if (EndsWithAbbreviation(line, m.Index))
                {
                    continue;
                }

                if (candidate.Length > 0)
                {
                    sentences.Add(candidate);
                }

                start = end;
            }

            string rest = line[start..].Trim();
            if (rest.Length > 0)
            {
                sentences.Add(rest);
            }
        }

        return sentences;
    }

    private static bool EndsWithAbbreviation(string line, int punctuationIndex)
    {
        if (line[punctuationIndex] != '.')
        {
            return false;
        }

        int wordStart = punctuationIndex;
        while (wordStart > 0 && !char.IsWhiteSpace(line[wordStart - 1]))
        {
            wordStart--;
        }

        string word = line[wordStart..punctuationIndex].TrimStart('(', '"', '\'');
        return (word.Length == 1 && char.IsUpper(word[0])) || Abbreviations.Contains(word);
    }

    [GeneratedRegex(@"[.!?…]+[""'”’)\]]*(?=\s)", RegexOptions.CultureInvariant)]
    private static partial Regex Boundary();
}
