using Rag.Core.Documents;

namespace Rag.Core.Indexing;

/// <summary>The read side of a full-text (BM25) index of chunks: search and look-ups over one fixed state.</summary>
public interface IKeywordSearcher
{
    /// <summary>Top-k search. <paramref name="filter"/> entries must all match chunk metadata exactly.</summary>
    IReadOnlyList<ScoredChunk> Search(string query, int k, IReadOnlyDictionary<string, string>? filter = null);

    /// <summary>Number of chunks visible to search.</summary>
    int Count { get; }

    /// <summary>All chunk ids visible to search.</summary>
    IReadOnlyCollection<string> ChunkIds();

    /// <summary>Looks a chunk up by id.</summary>
    Chunk? Get(string chunkId);

    /// <summary>
    /// Looks a chunk up by its vector id (<see cref="Indexing.ChunkIds.ToVectorId"/>), to resolve vector hits.
    /// </summary>
    Chunk? GetByVectorId(long vectorId);

    /// <summary>Ids of the chunks of one document visible to search (for example to remove their vectors).</summary>
    IReadOnlyCollection<string> ChunkIdsOfDocument(string documentId);
}

/// <summary>A full-text (BM25) index of chunks. Writes become visible to search after <see cref="Commit"/>.</summary>
public interface IKeywordIndex : IKeywordSearcher, IDisposable
{
    /// <summary>Adds or replaces chunks (by chunk id).</summary>
    void Upsert(IEnumerable<Chunk> chunks);

    /// <summary>Deletes every chunk of a document.</summary>
    void DeleteDocument(string documentId);

    /// <summary>Deletes chunks by id.</summary>
    void DeleteChunks(IEnumerable<string> chunkIds);

    /// <summary>Durably commits pending writes. <paramref name="userData"/> is stored with the commit (used by the manifest).</summary>
    void Commit(IReadOnlyDictionary<string, string>? userData = null);

    /// <summary>User data of the last durable commit, or empty.</summary>
    IReadOnlyDictionary<string, string> LastCommitData { get; }

    /// <summary>Discards uncommitted writes, returning to the last commit.</summary>
    void Rollback();
}

/// <summary>A chunk with a retrieval score.</summary>
public sealed record ScoredChunk(Chunk Chunk, float Score);
