using Rag.Tools.Synthetic.Internal;
using Rag.Model.Gguf;

namespace Rag.Tools.Synthetic;

/// <summary>
/// The <c>tokenizer.*</c> metadata of a model (vocabulary, scores, token types, special ids, merges, chat template),
/// either copied from an existing GGUF file or built here, ready to be written into another file.
/// </summary>
public sealed class GgufTokenizer
{
    /// <summary>Key prefix of all tokenizer metadata.</summary>
    public const string KeyPrefix = "tokenizer.";

    /// <summary>The chat template key.</summary>
    public const string ChatTemplateKey = "tokenizer.chat_template";

    private const string WordStart = "\u2581"; // the "▁" phantom space that SentencePiece and llama.cpp's WPM put before a word

    private readonly List<KeyValuePair<string, GgufValue>> _entries;

    private GgufTokenizer(List<KeyValuePair<string, GgufValue>> entries)
    {
        _entries = entries;
        var tokens = entries.FirstOrDefault(e => e.Key == "tokenizer.ggml.tokens").Value
            ?? throw new ArgumentException("Tokenizer metadata has no 'tokenizer.ggml.tokens'.");
        VocabSize = tokens.AsStringArray().Count;
        Model = entries.FirstOrDefault(e => e.Key == "tokenizer.ggml.model").Value?.AsString()
            ?? throw new ArgumentException("Tokenizer metadata has no 'tokenizer.ggml.model'.");
    }

    /// <summary>The tokenizer metadata in write order.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> Entries => _entries;

    /// <summary>Number of tokens.</summary>
    public int VocabSize { get; }

    /// <summary>The tokenizer family (<c>llama</c> = SentencePiece, <c>gpt2</c> = BPE, <c>bert</c> = WordPiece, ...).</summary>
    public string Model { get; }

    /// <summary>The chat template, if any.</summary>
    public string? ChatTemplate => _entries.FirstOrDefault(e => e.Key == ChatTemplateKey).Value?.AsString();

    /// <summary>Copies every <c>tokenizer.*</c> key of a GGUF file.</summary>
    /// <exception cref="GgufFormatException">The file is not valid GGUF.</exception>
    /// <exception cref="ArgumentException">The file has no vocabulary.</exception>
    public static GgufTokenizer FromModel(string path)
    {
        using var reader = GgufReader.Open(path);
        return FromReader(reader);
    }

    /// <summary>Copies every <c>tokenizer.*</c> key of an open GGUF file.</summary>
    public static GgufTokenizer FromReader(GgufReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var entries = reader.Metadata.Where(kv => kv.Key.StartsWith(KeyPrefix, StringComparison.Ordinal)).ToList();
        if (!entries.Any(e => e.Key == "tokenizer.ggml.tokens"))
        {
            throw new ArgumentException($"'{reader.Path}' has no tokenizer (no 'tokenizer.ggml.tokens' key).");
        }

        return new GgufTokenizer(entries);
    }

    /// <summary>
    /// A minimal SentencePiece vocabulary (<c>tokenizer.ggml.model = llama</c>) that needs no source file:
    /// &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, the 256 byte-fallback tokens and the printable ASCII characters with and without the word-start mark.
    /// Any text tokenizes with it (through byte fallback), which is all a synthetic test model needs.
    /// </summary>
    public static GgufTokenizer ByteFallbackSpm()
    {
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var types = new List<int> { 2, 3, 3 }; // UNKNOWN, CONTROL, CONTROL
        for (var b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
            types.Add(6); // BYTE
        }

        tokens.Add(WordStart);
        types.Add(1);
        for (var c = 0x21; c < 0x7F; c++)
        {
            tokens.Add(WordStart + (char)c);
            types.Add(1);
            tokens.Add(((char)c).ToString());
            types.Add(1);
        }

        // SentencePiece merges pieces by score: favour whole pieces over bytes, word-start pieces first.
        var scores = tokens.Select((t, i) => types[i] == 1 ? -(float)i / 1000f : 0f).ToList();
        return new GgufTokenizer(
        [
            new("tokenizer.ggml.model", GgufValue.FromString("llama")),
            new("tokenizer.ggml.tokens", GgufValue.FromStringArray(tokens)),
            new("tokenizer.ggml.scores", GgufValue.FromArray(scores)),
            new("tokenizer.ggml.token_type", GgufValue.FromArray(types)),
            new("tokenizer.ggml.bos_token_id", GgufValue.FromUInt32(1)),
            new("tokenizer.ggml.eos_token_id", GgufValue.FromUInt32(2)),
            new("tokenizer.ggml.unknown_token_id", GgufValue.FromUInt32(0)),
            new("tokenizer.ggml.add_bos_token", GgufValue.FromBool(true)),
            new("tokenizer.ggml.add_eos_token", GgufValue.FromBool(false)),
        ]);
    }

    /// <summary>
    /// A WordPiece vocabulary for BERT models (<c>tokenizer.ggml.model = bert</c>): [PAD] [UNK] [CLS] [SEP] [MASK] (ids 0 to 4),
    /// every lower-case letter, digit and ASCII punctuation mark as a word start and as a continuation (so nothing is unknown),
    /// a set of English suffixes, and whole words. Word-start pieces carry llama.cpp's "▁" mark instead of the "##"
    /// continuation mark of Hugging Face vocabularies, as the GGUF converter writes them.
    /// </summary>
    /// <param name="words">Whole words to add (lower-cased, de-duplicated); null for the built-in list of common English and science words.</param>
    public static GgufTokenizer WordPiece(IEnumerable<string>? words = null)
    {
        var tokens = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        var types = new List<int> { 3, 2, 3, 3, 3 };
        var seen = new HashSet<string>(tokens, StringComparer.Ordinal);

        void Add(string t)
        {
            if (t.Length > 0 && seen.Add(t))
            {
                tokens.Add(t);
                types.Add(1);
            }
        }

        for (var c = 0x21; c < 0x7F; c++)
        {
            if (c is >= 'A' and <= 'Z')
            {
                continue; // the WPM pre-tokenizer lower-cases
            }

            Add(WordStart + (char)c);
            Add(((char)c).ToString());
        }

        foreach (var suffix in Internal.EnglishWords.Suffixes)
        {
            Add(suffix);
        }

        foreach (var w in words ?? Internal.EnglishWords.Common)
        {
            var lower = w.Trim().ToLowerInvariant();
            if (lower.Length > 1 && lower.All(ch => !char.IsWhiteSpace(ch)))
            {
                Add(WordStart + lower);
            }
        }

        return new GgufTokenizer(
        [
            new("tokenizer.ggml.model", GgufValue.FromString("bert")),
            new("tokenizer.ggml.tokens", GgufValue.FromStringArray(tokens)),
            new("tokenizer.ggml.scores", GgufValue.FromArray(Enumerable.Repeat(0f, tokens.Count))),
            new("tokenizer.ggml.token_type", GgufValue.FromArray(types)),
            new("tokenizer.ggml.token_type_count", GgufValue.FromUInt32(2)),
            new("tokenizer.ggml.padding_token_id", GgufValue.FromUInt32(0)),
            new("tokenizer.ggml.unknown_token_id", GgufValue.FromUInt32(1)),
            new("tokenizer.ggml.bos_token_id", GgufValue.FromUInt32(2)),
            new("tokenizer.ggml.cls_token_id", GgufValue.FromUInt32(2)),
            new("tokenizer.ggml.seperator_token_id", GgufValue.FromUInt32(3)),
            new("tokenizer.ggml.mask_token_id", GgufValue.FromUInt32(4)),
            new("tokenizer.ggml.add_bos_token", GgufValue.FromBool(true)),
            new("tokenizer.ggml.add_sep_token", GgufValue.FromBool(true)),
        ]);
    }

    /// <summary>Returns a copy with the chat template set, replaced, or (for null) removed.</summary>
    public GgufTokenizer WithChatTemplate(string? template)
    {
        var entries = _entries.Where(e => e.Key != ChatTemplateKey).ToList();
        if (template is not null)
        {
            entries.Add(new(ChatTemplateKey, GgufValue.FromString(template)));
        }

        return new GgufTokenizer(entries);
    }

    /// <summary>Writes all tokenizer keys.</summary>
    public void WriteTo(GgufWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var (key, value) in _entries)
        {
            writer.SetValue(key, value);
        }
    }
}
