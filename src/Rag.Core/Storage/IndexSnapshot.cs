using Rag.Core.Indexing;
using Rag.Core.Storage.Internal;

namespace Rag.Core.Storage;

/// <summary>
/// A read lease on one committed generation of an <see cref="IndexStore"/>: its BM25 index, its vectors and its document
/// table, all of the same commit. Commits, rollbacks and recovery never change or close it; it stays valid until
/// disposed. Dispose it when the query is done (the generation's files and memory are released when its last lease ends).
/// </summary>
/// <remarks>Thread-safe: one snapshot may serve concurrent searches. Not valid after <see cref="Dispose"/>.</remarks>
public sealed class IndexSnapshot : IDisposable
{
    private readonly SnapshotState _state;
    private int _disposed;

    internal IndexSnapshot(SnapshotState state) => _state = state;

    /// <summary>The generation this snapshot shows.</summary>
    public long Generation => State.Generation;

    /// <summary>The manifest of that generation (settings included).</summary>
    public IndexManifest Manifest => State.Manifest;

    /// <summary>The BM25 index as of this generation.</summary>
    public IKeywordSearcher Keyword => State.Keyword;

    /// <summary>The vectors as of this generation; null for a keyword-only store.</summary>
    public IVectorSearcher? Vectors => State.Vectors;

    /// <summary>The documents of this generation.</summary>
    public IReadOnlyCollection<DocumentRecord> Documents => State.Documents.Values;

    private SnapshotState State
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _state;
        }
    }

    /// <summary>Looks a document up.</summary>
    public DocumentRecord? GetDocument(string documentId)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        return State.Documents.GetValueOrDefault(documentId);
    }

    /// <summary>Checks that this generation's BM25 index, vectors, document table and manifest agree.</summary>
    public StoreVerification Verify()
    {
        var state = State;
        var documents = state.Documents.Values;
        var expected = new HashSet<string>(documents.SelectMany(d => d.ChunkIds()), StringComparer.Ordinal);
        var keywordIds = state.Keyword.ChunkIds();
        var distinct = new HashSet<string>(keywordIds, StringComparer.Ordinal);
        var vectors = state.Vectors;
        int missingVectors = vectors is null ? 0 : expected.Count(id => !vectors.Contains(ChunkIds.ToVectorId(id)));
        return new StoreVerification(
            state.Generation,
            documents.Count,
            state.Manifest.ChunkCount,
            documents.Sum(d => (long)d.ChunkCount),
            keywordIds.Count,
            keywordIds.Count - distinct.Count,
            vectors?.Count ?? 0,
            expected.Count(id => !distinct.Contains(id)),
            distinct.Count(id => !expected.Contains(id)),
            missingVectors);
    }

    /// <summary>Ends the lease (idempotent).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _state.Release();
        }
    }
}
