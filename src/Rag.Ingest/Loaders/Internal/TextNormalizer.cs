using System.Text;

namespace Rag.Ingest.Loaders.Internal;

/// <summary>
/// Text normalization applied by every loader, so that the same content always hashes and chunks the same way:
/// NFC, LF line ends, no control characters other than tab and newline, no trailing spaces, at most one blank line.
/// </summary>
internal static class TextNormalizer
{
    /// <summary>Normalizes multi-line text. <paramref name="collapseSpaces"/> folds runs of spaces and tabs to one space.</summary>
    public static string Normalize(string text, bool collapseSpaces = false)
    {
        if (text.Length == 0)
        {
            return text;
        }

        string s = text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
        var sb = new StringBuilder(s.Length);
        int newlines = 0;
        bool pendingSpace = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '\r')
            {
                if (i + 1 < s.Length && s[i + 1] == '\n')
                {
                    continue;
                }

                c = '\n';
            }
            else if (c is '\f' or '\v' or '\u2028' or '\u2029' or '\u0085')
            {
                c = '\n';
            }

            if (c == '\n')
            {
                pendingSpace = false;
                TrimTrailingSpaces(sb);
                newlines++;
                continue;
            }

            if (c == '\uFEFF' || (char.IsControl(c) && c != '\t'))
            {
                continue;
            }

            bool isSpace = c == ' ' || c == '\t' || c == '\u00A0';
            if (isSpace && collapseSpaces)
            {
                pendingSpace = true;
                continue;
            }

            if (newlines > 0)
            {
                if (sb.Length > 0)
                {
                    sb.Append('\n', Math.Min(newlines, 2));
                }

                newlines = 0;
                pendingSpace = false;
            }

            if (pendingSpace)
            {
                if (sb.Length > 0 && sb[^1] != '\n')
                {
                    sb.Append(' ');
                }

                pendingSpace = false;
            }

            if (isSpace && sb.Length == 0)
            {
                continue;
            }

            sb.Append(c == '\u00A0' ? ' ' : c);
        }

        TrimTrailingSpaces(sb);
        return sb.ToString();
    }

    /// <summary>Normalizes a single-line fragment (a paragraph or a heading): every whitespace run becomes one space.</summary>
    public static string NormalizeInline(string text) => Normalize(text.ReplaceLineEndings(" "), collapseSpaces: true);

    private static void TrimTrailingSpaces(StringBuilder sb)
    {
        int end = sb.Length;
        while (end > 0 && (sb[end - 1] == ' ' || sb[end - 1] == '\t'))
        {
            end--;
        }

        sb.Length = end;
    }
}
