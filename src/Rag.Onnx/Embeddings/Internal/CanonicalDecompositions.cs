using System.Collections.Frozen;
using System.Text;

namespace Rag.Onnx.Embeddings.Internal;

/// <summary>
/// Unicode canonical decomposition (NFD without the reordering of marks, which accent stripping does not need), from a
/// table generated out of UnicodeData.txt. Uncased BERT strips accents by decomposing and dropping the marks; in
/// invariant-globalization mode <see cref="string.Normalize()"/> does nothing, so without this "café" would be [UNK].
/// </summary>
internal static partial class CanonicalDecompositions
{
    private const int HangulFirst = 0xAC00;
    private const int HangulLast = 0xD7A3;

    private static readonly FrozenDictionary<int, string> Map = Parse();

    /// <summary>Each code point with a canonical decomposition replaced by it; the same string when there is none.</summary>
    public static string Decompose(string text)
    {
        int first = 0;
        while (first < text.Length && text[first] < 0xC0)
        {
            first++;
        }

        if (first == text.Length)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16).Append(text, 0, first);
        foreach (var rune in text.AsSpan(first).EnumerateRunes())
        {
            sb.Append(Decompose(rune));
        }

        return sb.ToString();
    }

    /// <summary>The full canonical decomposition of one code point (the code point itself when it has none).</summary>
    public static string Decompose(Rune rune)
    {
        int cp = rune.Value;
        if (cp is >= HangulFirst and <= HangulLast)
        {
            // Unicode §3.12: a syllable is a leading consonant, a vowel and an optional trailing consonant.
            int index = cp - HangulFirst;
            Span<char> jamo = [(char)(0x1100 + (index / 588)), (char)(0x1161 + (index % 588 / 28)), (char)(0x11A7 + (index % 28))];
            return new string(index % 28 == 0 ? jamo[..2] : jamo);
        }

        return cp >= 0xC0 && Map.TryGetValue(cp, out var decomposed) ? decomposed : rune.ToString();
    }

    private static FrozenDictionary<int, string> Parse()
    {
        var map = new Dictionary<int, string>(2100);
        foreach (var entry in Table.Split('\u0001'))
        {
            int keyLength = char.IsHighSurrogate(entry[0]) ? 2 : 1;
            map[char.ConvertToUtf32(entry, 0)] = entry[keyLength..];
        }

        return map.ToFrozenDictionary();
    }
}
