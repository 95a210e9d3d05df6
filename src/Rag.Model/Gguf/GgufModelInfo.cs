namespace Rag.Model.Gguf;

/// <summary>
/// A summary of a GGUF file read by the managed reader, without loading llama.cpp: architecture, sizes, vocabulary,
/// chat template, parameter count and quantization. Keys follow llama.cpp's <c>&lt;arch&gt;.*</c> naming.
/// </summary>
public sealed record GgufModelInfo
{
    /// <summary>The file.</summary>
    public string? Path { get; init; }

    /// <summary>File size in bytes.</summary>
    public long FileSizeBytes { get; init; }

    /// <summary>GGUF version.</summary>
    public uint Version { get; init; }

    /// <summary><c>general.architecture</c> (llama, bert, ...).</summary>
    public string? Architecture { get; init; }

    /// <summary><c>general.type</c>: model or adapter (null when absent, which means model).</summary>
    public string? Type { get; init; }

    /// <summary><c>general.name</c>.</summary>
    public string? Name { get; init; }

    /// <summary>Training context length.</summary>
    public long? ContextLength { get; init; }

    /// <summary>Hidden size.</summary>
    public long? EmbeddingLength { get; init; }

    /// <summary>Number of blocks.</summary>
    public long? BlockCount { get; init; }

    /// <summary>Attention heads.</summary>
    public long? HeadCount { get; init; }

    /// <summary>Key/value heads (defaults to <see cref="HeadCount"/> when absent, as in llama.cpp).</summary>
    public long? HeadCountKv { get; init; }

    /// <summary>Feed-forward size.</summary>
    public long? FeedForwardLength { get; init; }

    /// <summary>Pooling type of embedding models.</summary>
    public long? PoolingType { get; init; }

    /// <summary>Tokenizer family (<c>tokenizer.ggml.model</c>).</summary>
    public string? TokenizerModel { get; init; }

    /// <summary>Number of tokens.</summary>
    public long VocabSize { get; init; }

    /// <summary>The chat template, if any.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>Total number of weights over all tensors.</summary>
    public long ParameterCount { get; init; }

    /// <summary>Number of tensors.</summary>
    public int TensorCount { get; init; }

    /// <summary>Number of tensors per type.</summary>
    public IReadOnlyDictionary<GgmlType, int> TensorTypes { get; init; } = new Dictionary<GgmlType, int>();

    /// <summary><c>general.file_type</c> (a <c>llama_ftype</c> value), when present.</summary>
    public long? FileTypeId { get; init; }

    /// <summary>
    /// The quantization as llama.cpp names it (F32, F16, Q8_0, Q4_K_M, ...): from <c>general.file_type</c>,
    /// or when that is absent from the type holding the most bytes.
    /// </summary>
    public string FileType { get; init; } = "unknown";

    /// <summary>LoRA alpha for adapters.</summary>
    public double? LoraAlpha { get; init; }

    /// <summary>Reads the summary from a file.</summary>
    /// <exception cref="GgufFormatException">The file is not valid GGUF.</exception>
    public static GgufModelInfo FromFile(string path)
    {
        using var reader = GgufReader.Open(path);
        return FromReader(reader);
    }

    /// <summary>Builds the summary from an open reader.</summary>
    public static GgufModelInfo FromReader(GgufReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var arch = reader.GetString("general.architecture");
        long? ArchInt(string suffix) => arch is null ? null : reader.GetInt64($"{arch}.{suffix}");
        var vocab = reader.TryGetValue("tokenizer.ggml.tokens", out var tokens) ? tokens.Count : ArchInt("vocab_size") ?? 0;
        var headCount = ArchInt("attention.head_count");
        var fileTypeId = reader.GetInt64("general.file_type");
        var byType = reader.Tensors.GroupBy(t => t.Type).ToDictionary(g => g.Key, g => g.Count());
        var biggest = reader.Tensors.GroupBy(t => t.Type).OrderByDescending(g => g.Sum(t => t.ByteSize)).Select(g => g.Key).FirstOrDefault();
        return new GgufModelInfo
        {
            Path = reader.Path,
            FileSizeBytes = reader.FileLength,
            Version = reader.Version,
            Architecture = arch,
            Type = reader.GetString("general.type"),
            Name = reader.GetString("general.name"),
            ContextLength = ArchInt("context_length"),
            EmbeddingLength = ArchInt("embedding_length"),
            BlockCount = ArchInt("block_count"),
            HeadCount = headCount,
            HeadCountKv = ArchInt("attention.head_count_kv") ?? headCount,
            FeedForwardLength = ArchInt("feed_forward_length"),
            PoolingType = ArchInt("pooling_type"),
            TokenizerModel = reader.GetString("tokenizer.ggml.model"),
            VocabSize = vocab,
            ChatTemplate = reader.GetString("tokenizer.chat_template"),
            ParameterCount = reader.Tensors.Sum(t => t.ElementCount),
            TensorCount = reader.Tensors.Count,
            TensorTypes = byType,
            FileTypeId = fileTypeId,
            FileType = fileTypeId is { } id ? FileTypeName(id) : reader.Tensors.Count == 0 ? "none" : biggest.ToString(),
            LoraAlpha = reader.GetDouble("adapter.lora.alpha"),
        };
    }

    /// <summary>The name of a <c>llama_ftype</c> value as llama-quantize prints it (e.g. 15 → Q4_K_M).</summary>
    public static string FileTypeName(long fileType) => fileType switch
    {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        36 => "TQ1_0",
        37 => "TQ2_0",
        38 => "MXFP4_MOE",
        39 => "NVFP4",
        40 => "Q1_0",
        41 => "Q2_0",
        1024 => "GUESSED",
        _ => $"unknown ({fileType})",
    };
}
