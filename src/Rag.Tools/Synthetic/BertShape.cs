namespace Rag.Tools.Synthetic;

/// <summary>
/// Hyper-parameters of a BERT encoder (<c>general.architecture = bert</c>) for embedding or reranking.
/// A reranker (<see cref="Pooling"/> = <see cref="GgufPoolingType.Rank"/>) also gets the classifier head
/// (<c>cls</c> dense + tanh, then <c>cls.output</c> to one score) that llama.cpp's rank pooling applies.
/// </summary>
public sealed record BertShape
{
    /// <summary>Written as <c>general.name</c>.</summary>
    public string Name { get; init; } = "bert-custom";

    /// <summary>Number of encoder blocks.</summary>
    public int BlockCount { get; init; } = 4;

    /// <summary>Hidden size.</summary>
    public int EmbeddingLength { get; init; } = 256;

    /// <summary>Attention heads.</summary>
    public int HeadCount { get; init; } = 4;

    /// <summary>Feed-forward (GELU) inner size.</summary>
    public int FeedForwardLength { get; init; } = 1024;

    /// <summary>Maximum positions (rows of <c>position_embd</c>).</summary>
    public int ContextLength { get; init; } = 512;

    /// <summary>LayerNorm epsilon.</summary>
    public float LayerNormEpsilon { get; init; } = 1e-12f;

    /// <summary>Pooling written into the model; <see cref="GgufPoolingType.Rank"/> makes a reranker.</summary>
    public GgufPoolingType Pooling { get; init; } = GgufPoolingType.Mean;

    /// <summary>Whether this is a reranker (rank pooling with a classifier head).</summary>
    public bool IsReranker => Pooling == GgufPoolingType.Rank;

    /// <summary>A small embedding model: 4 layers, 256 wide, 4 heads, FFN 1024, mean pooling.</summary>
    public static BertShape TinyEmbedding { get; } = new() { Name = "bert-tiny-embedding (synthetic)" };

    /// <summary>A small reranker: the <see cref="TinyEmbedding"/> encoder with rank pooling and a classifier head.</summary>
    public static BertShape TinyReranker { get; } = new() { Name = "bert-tiny-reranker (synthetic)", Pooling = GgufPoolingType.Rank };

    /// <summary>Checks the shape; throws <see cref="ArgumentException"/> naming the problem.</summary>
    public void Validate()
    {
        LlamaShape.Require(BlockCount is > 0 and <= 512, $"BlockCount must be 1..512, was {BlockCount}");
        LlamaShape.Require(HeadCount > 0 && EmbeddingLength > 0 && EmbeddingLength % HeadCount == 0,
            $"EmbeddingLength {EmbeddingLength} must be a positive multiple of HeadCount {HeadCount}");
        LlamaShape.Require(FeedForwardLength > 0, $"FeedForwardLength must be positive, was {FeedForwardLength}");
        LlamaShape.Require(ContextLength > 0, $"ContextLength must be positive, was {ContextLength}");
        LlamaShape.Require(LayerNormEpsilon > 0, "LayerNormEpsilon must be positive");
        LlamaShape.Require(Enum.IsDefined(Pooling), $"Pooling {Pooling} is not a pooling type");
    }
}
