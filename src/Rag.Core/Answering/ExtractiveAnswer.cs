using System.Text;

namespace Rag.Core.Answering;

/// <summary>A source sentence that supports the answer, with where it is.</summary>
/// <param name="Text">The sentence, exactly as in the chunk text.</param>
/// <param name="SourceNumber">The citation number of its source, as in <c>[n]</c>.</param>
/// <param name="ChunkId">The chunk it comes from.</param>
/// <param name="Start">Character offset of the sentence in the chunk text.</param>
/// <param name="Length">Length of the sentence in characters.</param>
/// <param name="Score">The combined score that ranked it: <c>(1 - w) × BM25 (min-max scaled) + w × cosine</c>.</param>
public sealed record ExtractedSentence(string Text, int SourceNumber, string ChunkId, int Start, int Length, double Score)
{
    /// <summary>Document the chunk belongs to.</summary>
    public string DocumentId { get; init; } = string.Empty;

    /// <summary>Character offset of the sentence in the document text (the chunk's start plus <see cref="Start"/>).</summary>
    public int DocumentStart { get; init; }

    /// <summary>Raw BM25 score of the sentence against the question, among the candidate sentences.</summary>
    public double Bm25 { get; init; }

    /// <summary>Cosine similarity of the sentence's and the question's embeddings; null without an embedder.</summary>
    public double? Semantic { get; init; }
}

/// <summary>An extractive answer: the best-supporting source sentences, best first, each with its citation and span.</summary>
/// <param name="Question">The question.</param>
/// <param name="Sentences">The chosen sentences, best first; empty when no source was relevant.</param>
/// <param name="Sources">The sources the sentences were taken from.</param>
public sealed record ExtractiveAnswer(string Question, IReadOnlyList<ExtractedSentence> Sentences, IReadOnlyList<AnswerSource> Sources)
{
    /// <summary>The answer as text: one sentence a line, each followed by its citation.</summary>
    public string Text
    {
        get
        {
            var sb = new StringBuilder();
            foreach (var s in Sentences)
            {
                sb.Append(s.Text).Append(" [").Append(s.SourceNumber).Append(']').Append('\n');
            }

            return sb.ToString().TrimEnd();
        }
    }
}
