using Microsoft.Extensions.AI;
using Rag.Core.Documents;

namespace Rag.Core.Answering;

/// <summary>A source shown to the model, with the number the answer cites it by.</summary>
/// <param name="Number">1-based citation number, as in <c>[1]</c>.</param>
/// <param name="Chunk">The retrieved chunk.</param>
/// <param name="Score">The retrieval score that ranked it.</param>
public sealed record AnswerSource(int Number, Chunk Chunk, float Score)
{
    /// <summary>The source text as put in the prompt (cut to the token budget); null when not yet packed.</summary>
    public string? PromptText { get; init; }

    /// <summary>Relevance of the chunk to the question (see <see cref="AnswerOptions.MinRelevance"/>); null when not scored.</summary>
    public double? Relevance { get; init; }
}

/// <summary>One streamed piece of an answer.</summary>
/// <param name="Text">New answer text; empty when the update only reports a dropped citation.</param>
public sealed record AnswerDelta(string Text)
{
    /// <summary>Citation numbers the model wrote that name no given source; they were removed from <see cref="Text"/>.</summary>
    public IReadOnlyList<int> DroppedCitations { get; init; } = [];
}

/// <summary>
/// A prompt ready for the model: the numbered sources that passed the relevance threshold and fit the token budget,
/// and the chat messages built from them.
/// </summary>
/// <param name="Question">The question.</param>
/// <param name="Sources">The packed sources, numbered from 1; empty when no retrieved chunk was relevant.</param>
/// <param name="Messages">System message (instruction and sources) and user message (the question).</param>
/// <param name="PromptTokens">Tokens of the instruction, sources and question by the answerer's token counter, plus the template overhead.</param>
/// <param name="PromptBudget">The most prompt tokens allowed: <see cref="AnswerOptions.ContextTokens"/> − <see cref="AnswerOptions.MaxOutputTokens"/>.</param>
public sealed record AnswerPrompt(string Question, IReadOnlyList<AnswerSource> Sources, IList<ChatMessage> Messages, int PromptTokens, int PromptBudget)
{
    /// <summary>Chunks retrieved but left out: below the relevance threshold or beyond the token budget.</summary>
    public int OmittedChunks { get; init; }

    /// <summary>True when no source passed the relevance threshold: the answer is <see cref="AnswerOptions.NoAnswerText"/>.</summary>
    public bool IsNoAnswer => Sources.Count == 0;
}

/// <summary>A finished answer.</summary>
/// <param name="Question">The question asked.</param>
/// <param name="Text">The answer text, with invalid citations removed.</param>
/// <param name="Sources">Every source given to the model, numbered.</param>
/// <param name="CitedNumbers">Source numbers the answer text cites, in first-cited order; every one names a given source.</param>
/// <param name="ModelId">The model that answered, as its chat client reports it.</param>
public sealed record RagAnswer(string Question, string Text, IReadOnlyList<AnswerSource> Sources, IReadOnlyList<int> CitedNumbers, string? ModelId)
{
    /// <summary>Citation numbers the model wrote that name no given source, in order; removed from <see cref="Text"/>.</summary>
    public IReadOnlyList<int> DroppedCitations { get; init; } = [];

    /// <summary>True when no source was relevant and the answer says so without calling the model.</summary>
    public bool IsNoAnswer { get; init; }

    /// <summary>Prompt tokens as the chat client reported them (its own count of the templated prompt); null when it reported none.</summary>
    public long? PromptTokens { get; init; }

    /// <summary>The prompt token budget the sources were packed into.</summary>
    public int PromptBudget { get; init; }
}
