namespace Rag.Model;

/// <summary>Why a model file could not be loaded.</summary>
public enum LlamaModelLoadFailure
{
    /// <summary>llama.cpp rejected the file for another reason (see the message, which quotes llama.cpp's log).</summary>
    Failed = 0,

    /// <summary>The file does not start with the GGUF magic: it is not a GGUF model.</summary>
    NotGguf = 1,

    /// <summary>The file is a GGUF header whose declared contents extend past the end of the file.</summary>
    Truncated = 2,

    /// <summary>The architecture or a tensor is not supported by this llama.cpp build.</summary>
    Unsupported = 3,
}

/// <summary>Thrown when a GGUF model cannot be loaded. The process stays usable.</summary>
public class LlamaModelLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LlamaModelLoadException(string path, LlamaModelLoadFailure reason, string message, Exception? inner = null)
        : base(message, inner)
    {
        ModelPath = path;
        Reason = reason;
    }

    /// <summary>Creates the exception with a default message.</summary>
    public LlamaModelLoadException() : this(string.Empty, LlamaModelLoadFailure.Failed, "The model could not be loaded.") { }

    /// <summary>Creates the exception with a message.</summary>
    public LlamaModelLoadException(string message) : this(string.Empty, LlamaModelLoadFailure.Failed, message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public LlamaModelLoadException(string message, Exception inner) : this(string.Empty, LlamaModelLoadFailure.Failed, message, inner) { }

    /// <summary>The model file.</summary>
    public string ModelPath { get; }

    /// <summary>The kind of failure.</summary>
    public LlamaModelLoadFailure Reason { get; }
}
