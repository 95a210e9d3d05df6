namespace Rag.Model.Lora;

/// <summary>A LoRA adapter file could not be loaded: not GGUF, not a LoRA adapter, or made for another model.</summary>
public sealed class LlamaLoraAdapterException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public LlamaLoraAdapterException(string path, string message) : base(message) => AdapterPath = path;

    /// <summary>Creates an exception with a message.</summary>
    public LlamaLoraAdapterException() : base("The LoRA adapter could not be loaded.") => AdapterPath = string.Empty;

    /// <summary>Creates an exception with a message.</summary>
    public LlamaLoraAdapterException(string message) : base(message) => AdapterPath = string.Empty;

    /// <summary>Creates an exception with a message and inner exception.</summary>
    public LlamaLoraAdapterException(string message, Exception inner) : base(message, inner) => AdapterPath = string.Empty;

    /// <summary>The adapter file.</summary>
    public string AdapterPath { get; }
}
