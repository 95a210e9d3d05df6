namespace Rag.Model.Inference;

/// <summary>Thrown when <c>llama_decode</c> fails (no KV slot, invalid batch, or a backend error).</summary>
public sealed class LlamaDecodeException : Exception
{
    /// <summary>Creates the exception from llama_decode's return code.</summary>
    public LlamaDecodeException(int code)
        : base(code switch
        {
            1 => "llama_decode found no KV-cache slot for the batch (the context is full).",
            2 => "llama_decode was aborted.",
            -1 => "llama_decode rejected the batch as invalid.",
            _ => $"llama_decode failed with code {code}.",
        }) => Code = code;

    /// <summary>Creates the exception with a default message.</summary>
    public LlamaDecodeException() : base("llama_decode failed.") { }

    /// <summary>Creates the exception with a message.</summary>
    public LlamaDecodeException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public LlamaDecodeException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The llama_decode return code.</summary>
    public int Code { get; }
}
