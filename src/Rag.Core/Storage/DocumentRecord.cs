namespace Rag.Core.Storage;

/// <summary>What the store remembers about one indexed document; saved with every commit.</summary>
/// <param name="Id">Document id.</param>
/// <param name="ContentHash">SHA-256 (hex) of the normalized content and the chunking settings; equal hashes mean nothing to re-index.</param>
/// <param name="ChunkCount">Number of chunks; their ids are <c>{Id}#0</c> … <c>{Id}#{ChunkCount-1}</c>.</param>
/// <param name="Source">Where the document came from (file path), when known.</param>
public sealed record DocumentRecord(string Id, string ContentHash, int ChunkCount, string? Source = null)
{
    /// <summary>The ids of the document's chunks.</summary>
    public IEnumerable<string> ChunkIds() => Enumerable.Range(0, ChunkCount).Select(i => Documents.Chunk.MakeId(Id, i));
}
