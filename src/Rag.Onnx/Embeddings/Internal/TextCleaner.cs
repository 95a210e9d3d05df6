using System.Globalization;
using System.Text;

namespace Rag.Onnx.Embeddings.Internal;

/// <summary>
/// Hugging Face BERT's text cleaning before the split: control and format characters (Unicode C categories, but tab, CR
/// and LF), NUL and U+FFFD are removed, so "foo\u200Bbar" is one word; for uncased models every character is also
/// canonically decomposed (<see cref="CanonicalDecompositions"/>) so that accent stripping finds the marks, which
/// <see cref="string.Normalize()"/> cannot do in invariant-globalization mode.
/// </summary>
internal static class TextCleaner
{
    public static string Clean(string text, bool decompose)
    {
        int i = 0;
        while (i < text.Length && text[i] is >= ' ' and < '\u007F' or '\t' or '\n' or '\r')
        {
            i++;
        }

        if (i == text.Length)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16).Append(text, 0, i);
        foreach (var rune in text.AsSpan(i).EnumerateRunes())
        {
            int cp = rune.Value;
            if (cp is '\t' or '\n' or '\r')
            {
                sb.Append((char)cp);
                continue;
            }

            if (cp == 0xFFFD || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
            {
                continue;
            }

            if (decompose && cp >= 0xC0)
            {
                sb.Append(CanonicalDecompositions.Decompose(rune));
            }
            else
            {
                sb.Append(rune.ToString());
            }
        }

        return sb.ToString();
    }
}
