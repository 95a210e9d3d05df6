namespace Rag.LLamaSharp;

/// <summary>
/// LLamaSharp was asked to load while another llama.cpp build (Rag.Model's) is already in the process, or the other
/// way round was registered. Both ship a <c>libggml-base.so</c>, and two of them in one process kill it, so the second
/// stack is refused before it loads.
/// </summary>
public sealed class NativeStackConflictException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public NativeStackConflictException() : base("Two llama.cpp native stacks cannot share one process.") { }

    /// <summary>Creates the exception with a message.</summary>
    public NativeStackConflictException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public NativeStackConflictException(string message, Exception innerException) : base(message, innerException) { }
}
