using Microsoft.Extensions.VectorData;

namespace Rag.SemanticKernel.VectorData;

/// <summary>
/// The record type of <see cref="RagVectorStoreCollection"/>. Upserted, a record is one document of the index holding one
/// passage (chunk <c>{Key}#0</c>). Read back or found by search, it is a passage: <see cref="Key"/> names its document and
/// <see cref="ChunkId"/> the passage, so a document ingested in several chunks can appear once per matching chunk.
/// </summary>
public sealed class RagVectorRecord
{
    /// <summary>The document id.</summary>
    [VectorStoreKey]
    public string Key { get; set; } = "";

    /// <summary>The passage text; BM25-indexed, and embedded when <see cref="Embedding"/> is not given.</summary>
    [VectorStoreData(IsFullTextIndexed = true)]
    public string Text { get; set; } = "";

    /// <summary>The document title (BM25 boosts it).</summary>
    [VectorStoreData(IsIndexed = true)]
    public string? Title { get; set; }

    /// <summary>The section the passage starts in, as <c>Heading &gt; Subheading</c>; null or empty when none.</summary>
    [VectorStoreData]
    public string? Section { get; set; }

    /// <summary>Where the document came from (a path or URL), when known.</summary>
    [VectorStoreData]
    public string? Source { get; set; }

    /// <summary>The id of the passage (<c>{Key}#{ordinal}</c>); set on reads, ignored on upsert.</summary>
    [VectorStoreData]
    public string? ChunkId { get; set; }

    /// <summary>
    /// The passage's embedding. On upsert, null embeds <see cref="Text"/> with the collection's embedding generator;
    /// given, its dimension must be the index's. The index does not return stored vectors, so reads leave it null.
    /// The dimension in the attribute is the MiniLM default; the index's own dimension is the one enforced.
    /// </summary>
    [VectorStoreVector(384)]
    public ReadOnlyMemory<float>? Embedding { get; set; }
}
