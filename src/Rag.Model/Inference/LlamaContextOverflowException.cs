namespace Rag.Model.Inference;

/// <summary>Thrown when a prompt does not fit in the context window.</summary>
public sealed class LlamaContextOverflowException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LlamaContextOverflowException(int promptTokens, int contextSize)
        : base($"The prompt is {promptTokens} tokens but the context holds {contextSize} (at least one free position is needed to generate). " +
               "Shorten the prompt or create the context with a larger ContextSize.")
    {
        PromptTokens = promptTokens;
        ContextSize = contextSize;
    }

    /// <summary>Creates the exception with a default message.</summary>
    public LlamaContextOverflowException() : base("The prompt does not fit in the context.") { }

    /// <summary>Creates the exception with a message.</summary>
    public LlamaContextOverflowException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public LlamaContextOverflowException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Number of prompt tokens.</summary>
    public int PromptTokens { get; }

    /// <summary>Context size in tokens.</summary>
    public int ContextSize { get; }
}
