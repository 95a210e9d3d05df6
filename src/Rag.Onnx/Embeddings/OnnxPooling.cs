namespace Rag.Onnx.Embeddings;

/// <summary>How the token vectors of a text become one vector.</summary>
public enum OnnxPooling
{
    /// <summary>Average of the token vectors (padding excluded), as sentence-transformers' all-MiniLM-L6-v2.</summary>
    Mean = 0,

    /// <summary>The vector of the first token ([CLS]), as snowflake-arctic-embed and BGE.</summary>
    Cls = 1,
}
