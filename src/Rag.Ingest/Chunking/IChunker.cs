using Rag.Core.Documents;

namespace Rag.Ingest.Chunking;

/// <summary>Cuts a document into chunks whose text is an exact span of the document text.</summary>
public interface IChunker
{
    /// <summary>
    /// Splits <paramref name="document"/>. Every chunk satisfies
    /// <c>chunk.Text == document.Text.Substring(chunk.Start, chunk.Length)</c>, has ordinals 0, 1, … in document order,
    /// and fits the configured token limit.
    /// </summary>
    IReadOnlyList<Chunk> Split(RagDocument document);
}
