namespace Rag.Model;

/// <summary>Metadata of a loaded model, as llama.cpp sees it.</summary>
public sealed record LlamaModelMetadata
{
    /// <summary>general.architecture, e.g. "llama".</summary>
    public required string Architecture { get; init; }

    /// <summary>general.name when present.</summary>
    public string? Name { get; init; }

    /// <summary>llama_model_desc, e.g. "llama ?B all F32".</summary>
    public required string Description { get; init; }

    /// <summary>Training context length.</summary>
    public required int ContextLength { get; init; }

    /// <summary>Embedding width.</summary>
    public required int EmbeddingSize { get; init; }

    /// <summary>Number of blocks.</summary>
    public required int LayerCount { get; init; }

    /// <summary>Attention heads.</summary>
    public required int HeadCount { get; init; }

    /// <summary>KV heads (GQA).</summary>
    public required int KvHeadCount { get; init; }

    /// <summary>Vocabulary size.</summary>
    public required int VocabSize { get; init; }

    /// <summary>Tokenizer kind: SPM, BPE, WPM, UGM, RWKV, PLAMO2 or NONE.</summary>
    public required string VocabType { get; init; }

    /// <summary>Total parameter count.</summary>
    public required long ParameterCount { get; init; }

    /// <summary>Total tensor bytes.</summary>
    public required long SizeBytes { get; init; }

    /// <summary>llama_ftype value.</summary>
    public required int FileType { get; init; }

    /// <summary>Quantization name, e.g. "Q8_0" or "all F32".</summary>
    public required string FileTypeName { get; init; }

    /// <summary>The model's default chat template, or null when it has none.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>Beginning-of-sequence token id (-1 if none).</summary>
    public required int BosToken { get; init; }

    /// <summary>End-of-sequence token id (-1 if none).</summary>
    public required int EosToken { get; init; }

    /// <summary>Whether tokenization adds BOS.</summary>
    public required bool AddsBos { get; init; }

    /// <summary>All scalar GGUF key/values (arrays are summarised by llama.cpp).</summary>
    public required IReadOnlyDictionary<string, string> Values { get; init; }
}
