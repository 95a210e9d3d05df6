using Lucene.Net.Index;
using Rag.Core.Indexing;
using Rag.Core.Indexing.Internal;

namespace Rag.Core.Storage.Internal;

/// <summary>
/// One committed generation opened for reading: a Lucene reader on that commit, the vectors of that generation loaded
/// into their own index (nobody writes to it), and the document table (loaded on first use). Reference counted: the
/// store holds one reference while it is the latest, each <see cref="IndexSnapshot"/> one more; the last release closes it.
/// </summary>
internal sealed class SnapshotState
{
    private readonly IndexReader _reader;
    private readonly IVectorIndex? _vectors;
    private readonly Lazy<Dictionary<string, DocumentRecord>> _documents;
    private int _references = 1;

    public SnapshotState(IndexManifest manifest, IndexReader reader, LuceneKeywordSearcher keyword, IVectorIndex? vectors, Func<Dictionary<string, DocumentRecord>> loadDocuments)
    {
        Manifest = manifest;
        _reader = reader;
        Keyword = keyword;
        _vectors = vectors;
        Vectors = vectors is null ? null : new ReadOnlyVectorSearcher(vectors);
        _documents = new Lazy<Dictionary<string, DocumentRecord>>(loadDocuments, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public IndexManifest Manifest { get; }

    /// <summary>Called once when the last reference is released (to close files the document loader keeps open).</summary>
    public Action? Closed { get; init; }

    public long Generation => Manifest.Generation;

    /// <summary>The Lucene reader, when it is a <see cref="DirectoryReader"/> that the next generation can reopen from.</summary>
    public DirectoryReader? DirectoryReader => _reader as DirectoryReader;

    public LuceneKeywordSearcher Keyword { get; }

    public IVectorSearcher? Vectors { get; }

    public Dictionary<string, DocumentRecord> Documents => _documents.Value;

    /// <summary>Adds a reference unless the state is already closed.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            int current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Drops a reference; the last one closes the reader and frees the vectors.</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            _reader.DecRef();
            _vectors?.Dispose();
            Closed?.Invoke();
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("Index snapshot released more often than acquired.");
        }
    }

    /// <summary>A vector index seen through its read side only, so a snapshot's vectors cannot be changed by a cast.</summary>
    private sealed class ReadOnlyVectorSearcher(IVectorIndex inner) : IVectorSearcher
    {
        public int Dimension => inner.Dimension;

        public long Count => inner.Count;

        public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k) => inner.Search(query, k);

        public IReadOnlyList<IReadOnlyList<VectorHit>> SearchBatch(ReadOnlySpan<float> queries, int k) => inner.SearchBatch(queries, k);

        public bool Contains(long id) => inner.Contains(id);
    }
}
