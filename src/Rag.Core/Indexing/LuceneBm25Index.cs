using System.Globalization;
using Lucene.Net.Analysis;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Core.Documents;
using Rag.Core.Indexing.Internal;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Rag.Core.Indexing;

/// <summary>
/// BM25 keyword index over Lucene.Net 4.8. Each chunk is one Lucene document: the analyzed field
/// <c>contents</c> holds title + text (the "flat" BEIR setup), the title is also indexed alone for an
/// optional boost, and the text, title, heading path and metadata are stored.
/// </summary>
/// <remarks>
/// <para>Writes (upsert, delete) become visible to search only after <see cref="Commit"/>, which is durable;
/// the searcher is refreshed from the committed state, so readers never see half a batch.
/// <see cref="Rollback"/> drops uncommitted writes, and so does <see cref="Dispose"/>.</para>
/// <para>Search is thread-safe and lock-free (searchers are reference counted by a <see cref="SearcherManager"/>);
/// writes are serialized by a lock.</para>
/// <para>The deletion policy keeps the newest <see cref="LuceneIndexOptions.KeepCommits"/> commits, each with its user
/// data, so recovery can go back with <see cref="RevertToCommit"/> when the vector index lags one commit behind.</para>
/// </remarks>
public sealed class LuceneBm25Index : IKeywordIndex
{
    internal const string IdField = LuceneKeywordSearcher.IdField;
    internal const string DocIdField = LuceneKeywordSearcher.DocIdField;
    internal const string ContentsField = LuceneKeywordSearcher.ContentsField;

    private readonly LuceneDirectory _directory;
    private readonly bool _ownsDirectory;
    private readonly LuceneIndexOptions _options;
    private readonly ILogger _logger;
    private readonly Analyzer _analyzer;
    private readonly BM25Similarity _similarity;
    private readonly SearcherManager _searchers;
    private readonly System.Threading.Lock _writeLock = new();
    private IndexWriter _writer;
    private IReadOnlyDictionary<string, string> _lastCommitData;
    private bool _disposed;

    /// <summary>Opens (or creates) an index in <paramref name="directory"/>.</summary>
    /// <param name="directory">Lucene directory; disposed with the index when <paramref name="ownsDirectory"/>.</param>
    /// <param name="options">Options; validated.</param>
    /// <param name="logger">Optional logger.</param>
    /// <param name="ownsDirectory">Whether <see cref="Dispose"/> disposes the directory.</param>
    public LuceneBm25Index(LuceneDirectory directory, LuceneIndexOptions? options = null, ILogger? logger = null, bool ownsDirectory = false)
    {
        ArgumentNullException.ThrowIfNull(directory);
        _options = options ?? new LuceneIndexOptions();
        _options.Validate();
        _directory = directory;
        _ownsDirectory = ownsDirectory;
        _logger = logger ?? NullLogger.Instance;
        _analyzer = EnglishAnalyzerFactory.Create(_options.Analysis);
        _similarity = new BM25Similarity(_options.K1, _options.B);
        _writer = OpenWriter(null);
        if (!DirectoryReader.IndexExists(_directory))
        {
            _writer.Commit();
        }

        _lastCommitData = ReadCommitData(_writer.CommitData);
        _searchers = new SearcherManager(_directory, new Bm25SearcherFactory(_similarity));
    }

    /// <summary>Opens (or creates) an index in a file-system folder.</summary>
    public static LuceneBm25Index Open(string path, LuceneIndexOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        System.IO.Directory.CreateDirectory(path);
        return new LuceneBm25Index(FSDirectory.Open(path), options, logger, ownsDirectory: true);
    }

    /// <summary>Creates an empty in-memory index (tests, evaluation runs).</summary>
    public static LuceneBm25Index CreateInMemory(LuceneIndexOptions? options = null, ILogger? logger = null) =>
        new(new RAMDirectory(), options, logger, ownsDirectory: true);

    /// <summary>The options in use.</summary>
    public LuceneIndexOptions Options => _options;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> LastCommitData => _lastCommitData;

    /// <inheritdoc />
    public int Count => WithSearcher(s => s.Count);

    /// <inheritdoc />
    public void Upsert(IEnumerable<Chunk> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        lock (_writeLock)
        {
            ThrowIfDisposed();
            foreach (var chunk in chunks)
            {
                ArgumentNullException.ThrowIfNull(chunk);
                ArgumentException.ThrowIfNullOrEmpty(chunk.Id, nameof(chunk));
                _writer.UpdateDocument(new Term(IdField, chunk.Id), LuceneKeywordSearcher.ToDocument(chunk));
            }
        }
    }

    /// <inheritdoc />
    public void DeleteDocument(string documentId)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        lock (_writeLock)
        {
            ThrowIfDisposed();
            _writer.DeleteDocuments(new Term(DocIdField, documentId));
        }
    }

    /// <inheritdoc />
    public void DeleteChunks(IEnumerable<string> chunkIds)
    {
        ArgumentNullException.ThrowIfNull(chunkIds);
        var terms = chunkIds.Select(id => new Term(IdField, id)).ToArray();
        if (terms.Length == 0)
        {
            return;
        }

        lock (_writeLock)
        {
            ThrowIfDisposed();
            _writer.DeleteDocuments(terms);
        }
    }

    /// <summary>Deletes every chunk (visible after <see cref="Commit"/>).</summary>
    public void DeleteAll()
    {
        lock (_writeLock)
        {
            ThrowIfDisposed();
            _writer.DeleteAll();
        }
    }

    /// <inheritdoc />
    /// <remarks><paramref name="userData"/> null keeps the previous commit's user data (Lucene semantics).</remarks>
    public void Commit(IReadOnlyDictionary<string, string>? userData = null)
    {
        lock (_writeLock)
        {
            ThrowIfDisposed();
            if (userData is not null)
            {
                _writer.SetCommitData(new Dictionary<string, string>(userData));
            }

            _writer.Commit();
            _lastCommitData = ReadCommitData(_writer.CommitData);
            _searchers.MaybeRefreshBlocking();
        }

        _logger.LogDebug("Lucene commit: {Count} chunks", Count);
    }

    /// <inheritdoc />
    public void Rollback()
    {
        lock (_writeLock)
        {
            ThrowIfDisposed();
            _writer.Rollback();
            _writer = OpenWriter(null);
            _lastCommitData = ReadCommitData(_writer.CommitData);
        }
    }

    /// <summary>User data of every commit still on disk, oldest first.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> ListCommits()
    {
        ThrowIfDisposed();
        return DirectoryReader.ListCommits(_directory).Select(c => ReadCommitData(c.UserData)).ToList();
    }

    /// <summary>
    /// Drops uncommitted writes and makes the newest kept commit whose user data satisfies <paramref name="match"/>
    /// the current one (a new commit with that state and user data). Returns false, changing nothing but the
    /// uncommitted writes, when no kept commit matches.
    /// </summary>
    public bool RevertToCommit(Func<IReadOnlyDictionary<string, string>, bool> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        lock (_writeLock)
        {
            ThrowIfDisposed();
            var commit = DirectoryReader.ListCommits(_directory).Reverse().FirstOrDefault(c => match(ReadCommitData(c.UserData)));
            _writer.Rollback();
            _writer = OpenWriter(commit);
            if (commit is null)
            {
                return false;
            }

            _writer.SetCommitData(new Dictionary<string, string>(commit.UserData));
            _writer.Commit();
            _lastCommitData = ReadCommitData(_writer.CommitData);
            _searchers.MaybeRefreshBlocking();
            _logger.LogInformation("Lucene index reverted to commit generation {Generation}", commit.Generation);
            return true;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<ScoredChunk> Search(string query, int k, IReadOnlyDictionary<string, string>? filter = null) =>
        WithSearcher(s => s.Search(query, k, filter));

    /// <summary>Searches and returns only chunk ids and scores (no stored-field loading beyond the id): the fast path for evaluation.</summary>
    public IReadOnlyList<(string ChunkId, float Score)> SearchIds(string query, int k, IReadOnlyDictionary<string, string>? filter = null) =>
        WithSearcher(s => s.SearchIds(query, k, filter));

    /// <inheritdoc />
    public IReadOnlyCollection<string> ChunkIds() => WithSearcher(s => s.ChunkIds());

    /// <inheritdoc />
    public Chunk? Get(string chunkId) => WithSearcher(s => s.Get(chunkId));

    /// <inheritdoc />
    public Chunk? GetByVectorId(long vectorId) => WithSearcher(s => s.GetByVectorId(vectorId));

    /// <inheritdoc />
    public IReadOnlyCollection<string> ChunkIdsOfDocument(string documentId) => WithSearcher(s => s.ChunkIdsOfDocument(documentId));

    /// <summary>The terms the index's analyzer produces for <paramref name="text"/> (for diagnostics and the hashing embedder).</summary>
    public IReadOnlyList<string> Analyze(string text) => EnglishAnalyzerFactory.Terms(_analyzer, ContentsField, text);

    /// <summary>Disposes the searcher and the writer, dropping uncommitted writes.</summary>
    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _searchers.Dispose();
            _writer.Rollback();
            _analyzer.Dispose();
            if (_ownsDirectory)
            {
                _directory.Dispose();
            }
        }
    }

    private T WithSearcher<T>(Func<LuceneKeywordSearcher, T> action)
    {
        ThrowIfDisposed();
        var searcher = _searchers.Acquire();
        try
        {
            return action(new LuceneKeywordSearcher(searcher, _analyzer, _options));
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    private IndexWriter OpenWriter(IndexCommit? commit)
    {
        var config = new IndexWriterConfig(EnglishAnalyzerFactory.Version, _analyzer)
        {
            OpenMode = OpenMode.CREATE_OR_APPEND,
            Similarity = _similarity,
            IndexDeletionPolicy = new KeepLastCommitsDeletionPolicy(_options.KeepCommits),
            RAMBufferSizeMB = _options.RamBufferMb,
            IndexCommit = commit,
        };
        return new IndexWriter(_directory, config);
    }

    private static IReadOnlyDictionary<string, string> ReadCommitData(IDictionary<string, string>? data) =>
        data is null ? new Dictionary<string, string>() : new Dictionary<string, string>(data);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private sealed class Bm25SearcherFactory(Similarity similarity) : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader) => new(reader) { Similarity = similarity };
    }
}
