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
    public static List<string> Split(string text) => SplitSpans(text).Select(r => text.Substring(r.Start, r.Length)).ToList();

    /// <summary>The trimmed, non-empty sentences of <paramref name="text"/> as character ranges of it.</summary>
    public static List<(int Start, int Length)> SplitSpans(string text)
    {
        var sentences = new List<(int Start, int Length)>();
        int lineStart = 0;
        while (lineStart <= text.Length)
        {
            int lineEnd = text.IndexOf('\n', lineStart);
            if (lineEnd < 0)
            {
                lineEnd = text.Length;
            }

            string line = text[lineStart..lineEnd];
            int start = 0;
            foreach (Match m in Boundary().Matches(line))
            {
                int end = m.Index + m.Length;
                if (EndsWithAbbreviation(line, m.Index))
                {
                    continue;
                }

                AddTrimmed(sentences, line, lineStart, start, end);
                start = end;
            }

            AddTrimmed(sentences, line, lineStart, start, line.Length);
            lineStart = lineEnd + 1;
        }

        return sentences;
    }

    private static void AddTrimmed(List<(int Start, int Length)> sentences, string line, int offset, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(line[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(line[end - 1]))
        {
            end--;
        }

        if (end > start)
        {
            sentences.Add((offset + start, end - start));
        }
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
