namespace Rag.Core.Indexing;

/// <summary>The read side of a vector index: inner-product search over one fixed set of vectors keyed by 64-bit ids.</summary>
public interface IVectorSearcher
{
    /// <summary>Vector dimension.</summary>
    int Dimension { get; }

    /// <summary>Number of vectors stored.</summary>
    long Count { get; }

    /// <summary>Top-k search for one query vector. Results are ordered best first.</summary>
    IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k);

    /// <summary>Top-k search for a batch of query vectors (row-major); one result list per query, best first.</summary>
    IReadOnlyList<IReadOnlyList<VectorHit>> SearchBatch(ReadOnlySpan<float> queries, int k);

    /// <summary>Whether <paramref name="id"/> is stored.</summary>
    bool Contains(long id);
}

/// <summary>
/// A vector index of inner-product (cosine on normalized vectors) similarity, keyed by 64-bit ids.
/// Implementations: FAISS through the native shim, and a managed exact-search fallback.
/// </summary>
/// <remarks>Adding an id that is already present replaces its vector. Search is thread-safe; writes are serialized.</remarks>
public interface IVectorIndex : IVectorSearcher, IDisposable
{
    /// <summary>Adds vectors; <paramref name="vectors"/> is row-major, <c>ids.Length * Dimension</c> long.</summary>
    void Add(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors);

    /// <summary>Removes vectors by id; returns how many were removed.</summary>
    long Remove(ReadOnlySpan<long> ids);

    /// <summary>Writes the index to a file durably (temp file, fsync, rename, folder fsync).</summary>
    void Save(string path);
}

/// <summary>A vector search result.</summary>
public readonly record struct VectorHit(long Id, float Score);
