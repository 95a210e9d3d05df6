namespace Rag.Ingest.Loaders;

/// <summary>
/// A source could not be turned into a document: the message names the source and the problem
/// (binary content, over the size limit, corrupt container, converter timeout, …).
/// </summary>
public sealed class DocumentLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DocumentLoadException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DocumentLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public DocumentLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
