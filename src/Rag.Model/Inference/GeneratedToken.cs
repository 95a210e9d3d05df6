namespace Rag.Model.Inference;

/// <summary>Why generation ended.</summary>
public enum FinishReason
{
    /// <summary>An end-of-generation token was sampled.</summary>
    EndOfGeneration = 0,

    /// <summary><see cref="GenerationOptions.MaxTokens"/> was reached.</summary>
    MaxTokens = 1,

    /// <summary>A stop string was produced (it is not part of the output).</summary>
    StopString = 2,

    /// <summary>The context window is full.</summary>
    ContextFull = 3,
}

/// <summary>
/// One step of a generation stream. <see cref="Text"/> is the text released at this step; it can be empty (a partial
/// UTF-8 character, or text held back because it may begin a stop string) or hold several tokens' worth of held text.
/// The last item of a stream carries <see cref="Finish"/>.
/// </summary>
/// <param name="TokenId">The sampled token id.</param>
/// <param name="Text">Text released at this step.</param>
/// <param name="Finish">Set on the last item: why the stream ended.</param>
public readonly record struct GeneratedToken(int TokenId, string Text, FinishReason? Finish = null);
