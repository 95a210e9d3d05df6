using System.Globalization;
using System.Text;

namespace Rag.Core.Evaluation.Internal;

/// <summary>
/// Python's string semantics where the reference metric implementations (sacreBLEU, rouge-score, the SQuAD script)
/// depend on them: <c>str.split()</c>, <c>str.rstrip()</c>, <c>str.lower()</c> and the <c>\w</c> word class.
/// Matching them exactly is what makes our scores equal theirs on unusual input.
/// </summary>
internal static class PythonText
{
    /// <summary>Python's <c>str.isspace()</c>: .NET's white space plus the four separators U+001C..U+001F.</summary>
    public static bool IsWhiteSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    /// <summary>Python's <c>str.split()</c> with no argument: runs of white space separate, no empty items.</summary>
    public static List<string> Split(string text)
    {
        var parts = new List<string>();
        int start = -1;
        for (int i = 0; i < text.Length; i++)
        {
            if (IsWhiteSpace(text[i]))
            {
                if (start >= 0)
                {
                    parts.Add(text[start..i]);
                    start = -1;
                }
            }
            else if (start < 0)
            {
                start = i;
            }
        }

        if (start >= 0)
        {
            parts.Add(text[start..]);
        }

        return parts;
    }

    /// <summary>Python's <c>' '.join(text.split())</c>.</summary>
    public static string CollapseWhiteSpace(string text) => string.Join(' ', Split(text));

    /// <summary>Python's <c>''.join(text.split())</c>: every white-space character removed.</summary>
    public static string RemoveWhiteSpace(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (!IsWhiteSpace(c))
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>Python's <c>str.rstrip()</c>.</summary>
    public static string RStrip(string text)
    {
        int end = text.Length;
        while (end > 0 && IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return end == text.Length ? text : text[..end];
    }

    /// <summary>
    /// Python's <c>str.lower()</c>: the invariant simple lower-case mapping, plus the one full mapping that differs
    /// (U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE becomes "i" followed by U+0307).
    /// </summary>
    public static string Lower(string text)
    {
        string lower = text.ToLowerInvariant();
        return text.Contains('\u0130', StringComparison.Ordinal) ? ReplaceDottedI(text, lower) : lower;
    }

    /// <summary>Python's <c>\w</c> for <c>str</c> patterns: <c>c.isalnum() or c == '_'</c> (letters and numbers of any kind).</summary>
    public static bool IsWordChar(Rune r) => r.Value == '_' || Rune.GetUnicodeCategory(r) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
        _ => false,
    };

    /// <summary>The start index of every code point in <paramref name="text"/>, plus <c>text.Length</c> at the end.</summary>
    public static int[] CodePointBoundaries(string text)
    {
        var starts = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
        {
            starts.Add(i);
        }

        starts.Add(text.Length);
        return [.. starts];
    }

    private static string ReplaceDottedI(string original, string lower)
    {
        // ToLowerInvariant maps U+0130 to a single 'i'; Python appends a combining dot above. Lengths match char for char.
        var sb = new StringBuilder(lower.Length + 4);
        for (int i = 0; i < original.Length; i++)
        {
            sb.Append(lower[i]);
            if (original[i] == '\u0130')
            {
                sb.Append('\u0307');
            }
        }

        return sb.ToString();
    }
}
