using System.ComponentModel.DataAnnotations;

namespace Rag.Onnx.Embeddings;

/// <summary>
/// Configuration section <c>Rag:Model:Embedding</c> of the ONNX embedder: which model, how it runs, and optional
/// overrides of the model's own settings. Validated on start.
/// </summary>
public sealed class OnnxEmbeddingOptions
{
    /// <summary>The section under <c>Rag</c>.</summary>
    public const string SectionName = "Model:Embedding";

    /// <summary>
    /// A built-in model (<c>minilm</c> or <c>arctic-xs</c>) or the path of an ONNX file.
    /// </summary>
    /// <value>Default <c>minilm</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string Model { get; set; } = OnnxEmbeddingModel.MiniLmName;

    /// <summary>WordPiece vocabulary of a model given by path.</summary>
    /// <value>Default null: <c>vocab.txt</c> beside the ONNX file.</value>
    public string? Vocabulary { get; set; }

    /// <summary>Overrides the model's pooling.</summary>
    /// <value>Default null: the model's own (mean for minilm and for models by path, CLS for arctic-xs).</value>
    public OnnxPooling? Pooling { get; set; }

    /// <summary>Overrides the model's longest input in word pieces ([CLS] and [SEP] included).</summary>
    /// <value>Default null: the model's own (256 for minilm, 512 for arctic-xs and for models by path).</value>
    [Range(3, 8192)]
    public int? MaxTokens { get; set; }

    /// <summary>Overrides the prefix put before queries.</summary>
    /// <value>Default null: the model's own (arctic-xs: <c>Represent this sentence for searching relevant passages: </c>).</value>
    public string? QueryPrefix { get; set; }

    /// <summary>Overrides the prefix put before documents.</summary>
    /// <value>Default null: the model's own (none for both built-in models).</value>
    public string? DocumentPrefix { get; set; }

    /// <summary>ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose (one per physical core).</summary>
    /// <value>Default 0.</value>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>
    /// Whether idle ONNX Runtime threads spin waiting for work. Spinning trims latency on an idle machine but burns the
    /// cores other work (indexing, llama.cpp) needs.
    /// </summary>
    /// <value>Default false.</value>
    public bool AllowSpinning { get; set; }

    /// <summary>Most texts in one model run. Texts are sorted by length first, so each batch pads little.</summary>
    /// <value>Default 32.</value>
    [Range(1, 4096)]
    public int BatchSize { get; set; } = 32;

    /// <summary>Most word pieces in one model run (batch size × longest member), which bounds its memory.</summary>
    /// <value>Default 8192.</value>
    [Range(8, 1 << 20)]
    public int MaxBatchTokens { get; set; } = 8192;

    /// <summary>The model these options name, with their overrides applied.</summary>
    /// <exception cref="OnnxModelException"><see cref="Model"/> is neither a built-in model nor an existing file.</exception>
    public OnnxEmbeddingModel ResolveModel()
    {
        var model = OnnxEmbeddingModel.Resolve(Model, Vocabulary);
        return model with
        {
            Pooling = Pooling ?? model.Pooling,
            MaxTokens = MaxTokens ?? model.MaxTokens,
            QueryPrefix = QueryPrefix ?? model.QueryPrefix,
            DocumentPrefix = DocumentPrefix ?? model.DocumentPrefix,
        };
    }
}
