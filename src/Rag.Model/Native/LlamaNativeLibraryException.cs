namespace Rag.Model.Native;

/// <summary>
/// Thrown when the llama.cpp native libraries cannot be found, cannot be loaded, or do not export the API this binding
/// was built against. The message lists every directory that was searched and how to fix the problem.
/// </summary>
public sealed class LlamaNativeLibraryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LlamaNativeLibraryException(string message, IReadOnlyList<string> searchedDirectories, Exception? innerException = null)
        : base(message, innerException)
    {
        SearchedDirectories = searchedDirectories;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public LlamaNativeLibraryException(string message) : this(message, Array.Empty<string>()) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public LlamaNativeLibraryException(string message, Exception innerException) : this(message, Array.Empty<string>(), innerException) { }

    /// <summary>Creates the exception with a default message.</summary>
    public LlamaNativeLibraryException() : this("The llama.cpp native libraries could not be loaded.") { }

    /// <summary>The directories that were searched for the native libraries, in order.</summary>
    public IReadOnlyList<string> SearchedDirectories { get; }
}
