namespace Rag.Core.Storage;

/// <summary>
/// The folder given as an index store is not one: it is not empty and holds no Rag index (or one written by a newer
/// version). The store refuses to open it, so it never writes into, or deletes from, a folder it does not own.
/// </summary>
public sealed class NotAnIndexException : IOException
{
    /// <summary>Creates the exception.</summary>
    public NotAnIndexException(string directory, string message)
        : base(message)
    {
        Directory = directory;
    }

    /// <summary>The folder.</summary>
    public string Directory { get; }
}
