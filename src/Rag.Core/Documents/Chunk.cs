namespace Rag.Core.Documents;

/// <summary>
/// One indexed unit of text. The same chunk id is stored in the BM25 index and the vector index.
/// </summary>
/// <param name="Id">Globally unique, stable chunk id: <c>{DocumentId}#{Ordinal}</c>.</param>
/// <param name="DocumentId">Id of the document the chunk came from.</param>
/// <param name="Ordinal">Position of the chunk within its document, from 0.</param>
/// <param name="Text">Chunk text.</param>
/// <param name="Start">Character offset of the chunk in the document text.</param>
/// <param name="Length">Length in characters of the span in the document text.</param>
public sealed record Chunk(string Id, string DocumentId, int Ordinal, string Text, int Start, int Length)
{
    /// <summary>Document title, repeated on each chunk so BM25 can boost it.</summary>
    public string? Title { get; init; }

    /// <summary>Heading path of the section the chunk starts in (markdown-aware chunking).</summary>
    public IReadOnlyList<string> HeadingPath { get; init; } = [];

    /// <summary>Metadata inherited from the document plus chunk-level entries; filterable in BM25.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Builds the canonical chunk id.</summary>
    public static string MakeId(string documentId, int ordinal) => $"{documentId}#{ordinal}";
}
