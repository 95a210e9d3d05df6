namespace Rag.Model.Embeddings;

/// <summary>How per-token outputs become one vector per input (llama.cpp's <c>llama_pooling_type</c>).</summary>
public enum LlamaPoolingType
{
    /// <summary>Whatever the model's GGUF metadata says (<c>*.pooling_type</c>).</summary>
    Unspecified = -1,

    /// <summary>No pooling: one vector per token.</summary>
    None = 0,

    /// <summary>Mean of the token vectors.</summary>
    Mean = 1,

    /// <summary>The first token's vector (BERT's [CLS]).</summary>
    Cls = 2,

    /// <summary>The last token's vector.</summary>
    Last = 3,

    /// <summary>The classifier head of a reranker: one relevance score per (query, document) input.</summary>
    Rank = 4,
}
