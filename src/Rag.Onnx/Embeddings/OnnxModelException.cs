namespace Rag.Onnx.Embeddings;

/// <summary>An embedding model could not be found, read or run: a missing or damaged file, or a model of an unsupported shape.</summary>
public sealed class OnnxModelException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OnnxModelException()
    {
    }

    /// <summary>Creates the exception with a message naming the problem and the fix.</summary>
    public OnnxModelException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public OnnxModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
