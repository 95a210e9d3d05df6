namespace Rag.Model.Sampling;

/// <summary>Thrown when a GBNF grammar (or a JSON schema converted to one) is rejected by llama.cpp's grammar parser.</summary>
public sealed class LlamaGrammarException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LlamaGrammarException(string message, string? grammar = null) : base(message) => Grammar = grammar;

    /// <summary>Creates the exception with a default message.</summary>
    public LlamaGrammarException() : base("The grammar is invalid.") { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public LlamaGrammarException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The grammar text that failed, when known.</summary>
    public string? Grammar { get; }
}
