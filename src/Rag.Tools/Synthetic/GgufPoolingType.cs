namespace Rag.Tools.Synthetic;

/// <summary>How an embedding model pools per-token outputs; numbered as <c>llama_pooling_type</c> and stored as <c>&lt;arch&gt;.pooling_type</c>.</summary>
public enum GgufPoolingType
{
    /// <summary>No pooling: one vector per token.</summary>
    None = 0,
    /// <summary>Mean over the sequence's tokens.</summary>
    Mean = 1,
    /// <summary>The first ([CLS]) token.</summary>
    Cls = 2,
    /// <summary>The last token.</summary>
    Last = 3,
    /// <summary>Reranking: the [CLS] token through the classifier head, one score per sequence.</summary>
    Rank = 4,
}
