using Rag.Core.Documents;

namespace Rag.Core.Answering;

/// <summary>A source shown to the model, with the number the answer cites it by.</summary>
/// <param name="Number">1-based citation number, as in <c>[1]</c>.</param>
/// <param name="Chunk">The retrieved chunk.</param>
/// <param name="Score">The retrieval score that ranked it.</param>
public sealed record AnswerSource(int Number, Chunk Chunk, float Score);

/// <summary>One streamed piece of an answer.</summary>
/// <param name="Text">New answer text.</param>
public sealed record AnswerDelta(string Text);

/// <summary>A finished answer.</summary>
/// <param name="Question">The question asked.</param>
/// <param name="Text">The generated answer text.</param>
/// <param name="Sources">Every source given to the model, numbered.</param>
/// <param name="CitedNumbers">Source numbers the answer text cites, in first-cited order. Out-of-range numbers are dropped.</param>
/// <param name="ModelId">The model that answered, as its chat client reports it.</param>
public sealed record RagAnswer(string Question, string Text, IReadOnlyList<AnswerSource> Sources, IReadOnlyList<int> CitedNumbers, string? ModelId);
