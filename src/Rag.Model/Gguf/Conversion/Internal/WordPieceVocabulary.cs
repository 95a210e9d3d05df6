namespace Rag.Model.Gguf.Conversion.Internal;

/// <summary>A Hugging Face WordPiece vocabulary in llama.cpp's form, with the ids of its special tokens.</summary>
internal sealed class WordPieceVocabulary
{
    private const string WordStart = "\u2581"; // llama.cpp's WPM marks a word start, where Hugging Face marks a continuation with ##

    private WordPieceVocabulary(List<string> tokens, List<int> types, int pad, int unknown, int cls, int sep, int mask)
    {
        Tokens = tokens;
        TokenTypes = types;
        Pad = pad;
        Unknown = unknown;
        Cls = cls;
        Sep = sep;
        Mask = mask;
    }

    public IReadOnlyList<string> Tokens { get; }

    /// <summary>llama.cpp token types: 1 normal, 2 unknown, 3 control.</summary>
    public IReadOnlyList<int> TokenTypes { get; }

    public int Pad { get; }

    public int Unknown { get; }

    public int Cls { get; }

    public int Sep { get; }

    public int Mask { get; }

    public static WordPieceVocabulary From(IReadOnlyList<string> lines, int modelVocabularySize)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count != modelVocabularySize)
        {
            throw new OnnxConversionException(
                $"the vocabulary has {lines.Count} tokens but the model's embedding table has {modelVocabularySize} rows: they do not belong together");
        }

        int Find(string special)
        {
            for (int i = 0; i < lines.Count; i++)
            {
                if (lines[i] == special)
                {
                    return i;
                }
            }

            throw new OnnxConversionException($"the vocabulary has no {special} token: it is not a BERT WordPiece vocabulary");
        }

        int pad = Find("[PAD]"), unknown = Find("[UNK]"), cls = Find("[CLS]"), sep = Find("[SEP]"), mask = Find("[MASK]");
        var tokens = new List<string>(lines.Count);
        var types = new List<int>(lines.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < lines.Count; i++)
        {
            var t = lines[i];
            string converted = t.Length > 1 && t[0] == '[' && t[^1] == ']' ? t
                : t.StartsWith("##", StringComparison.Ordinal) ? t[2..]
                : WordStart + t;
            tokens.Add(seen.Add(converted) ? converted : converted + $"[duplicate {i}]");
            types.Add(i == unknown ? 2 : i == pad || i == cls || i == sep || i == mask ? 3 : 1);
        }

        return new WordPieceVocabulary(tokens, types, pad, unknown, cls, sep, mask);
    }
}
