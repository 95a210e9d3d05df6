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
    internal const string IdField = "id";
    internal const string DocIdField = "doc_id";
    internal const string VectorIdField = "vid";
    internal const string ContentsField = "contents";
    internal const string TitleIndexField = "title_t";
    private const string TitleField = "title";
    private const string TextField = "text";
    private const string OrdinalField = "ord";
    private const string StartField = "start";
    private const string LengthField = "len";
    private const string HeadingField = "heading";
    private const string MetadataPrefix = "m:";
    private static readonly HashSet<string> IdOnly = [IdField];

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
    public int Count => WithSearcher(s => s.IndexReader.NumDocs);

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
                _writer.UpdateDocument(new Term(IdField, chunk.Id), ToDocument(chunk));
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
    public IReadOnlyList<ScoredChunk> Search(string query, int k, IReadOnlyDictionary<string, string>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var luceneQuery = BuildQuery(query, filter);
        if (luceneQuery is null)
        {
            return [];
        }

        return WithSearcher(searcher =>
        {
            var top = searcher.Search(luceneQuery, k);
            var hits = new List<ScoredChunk>(top.ScoreDocs.Length);
            foreach (var sd in top.ScoreDocs)
            {
                hits.Add(new ScoredChunk(FromDocument(searcher.Doc(sd.Doc)), sd.Score));
            }

            return (IReadOnlyList<ScoredChunk>)hits;
        });
    }

    /// <summary>Searches and returns only chunk ids and scores (no stored-field loading beyond the id): the fast path for evaluation.</summary>
    public IReadOnlyList<(string ChunkId, float Score)> SearchIds(string query, int k, IReadOnlyDictionary<string, string>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var luceneQuery = BuildQuery(query, filter);
        if (luceneQuery is null)
        {
            return [];
        }

        return WithSearcher(searcher =>
        {
            var top = searcher.Search(luceneQuery, k);
            var hits = new List<(string, float)>(top.ScoreDocs.Length);
            foreach (var sd in top.ScoreDocs)
            {
                hits.Add((searcher.Doc(sd.Doc, IdOnly).Get(IdField), sd.Score));
            }

            return (IReadOnlyList<(string, float)>)hits;
        });
    }

    /// <inheritdoc />
    public IReadOnlyCollection<string> ChunkIds() => WithSearcher(searcher =>
    {
        var ids = new List<string>(searcher.IndexReader.NumDocs);
        foreach (var leaf in searcher.IndexReader.Leaves)
        {
            var reader = leaf.AtomicReader;
            var live = reader.LiveDocs;
            for (int i = 0; i < reader.MaxDoc; i++)
            {
                if (live is null || live.Get(i))
                {
                    ids.Add(reader.Document(i, IdOnly).Get(IdField));
                }
            }
        }

        return (IReadOnlyCollection<string>)ids;
    });

    /// <inheritdoc />
    public Chunk? Get(string chunkId)
    {
        ArgumentException.ThrowIfNullOrEmpty(chunkId);
        return FindOne(new TermQuery(new Term(IdField, chunkId)));
    }

    /// <inheritdoc />
    public Chunk? GetByVectorId(long vectorId) =>
        FindOne(new TermQuery(new Term(VectorIdField, vectorId.ToString(CultureInfo.InvariantCulture))));

    /// <inheritdoc />
    public IReadOnlyCollection<string> ChunkIdsOfDocument(string documentId)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        return WithSearcher(searcher =>
        {
            int max = Math.Max(1, searcher.IndexReader.MaxDoc);
            var top = searcher.Search(new TermQuery(new Term(DocIdField, documentId)), max);
            return (IReadOnlyCollection<string>)top.ScoreDocs.Select(sd => searcher.Doc(sd.Doc, IdOnly).Get(IdField)).ToList();
        });
    }

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

    private Query? BuildQuery(string query, IReadOnlyDictionary<string, string>? filter)
    {
        ThrowIfDisposed();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var term in EnglishAnalyzerFactory.Terms(_analyzer, ContentsField, query))
        {
            counts[term] = counts.GetValueOrDefault(term) + 1;
        }

        if (counts.Count == 0)
        {
            return null;
        }

        // Bag of words like Anserini: one SHOULD clause per distinct term, boosted by its count in the query.
        var bq = new BooleanQuery(disableCoord: true);
        int maxClauses = BooleanQuery.MaxClauseCount / (_options.TitleBoost > 0 ? 2 : 1);
        foreach (var (term, count) in counts.OrderByDescending(p => p.Value).Take(maxClauses))
        {
            bq.Add(new TermQuery(new Term(ContentsField, term)) { Boost = count }, Occur.SHOULD);
            if (_options.TitleBoost > 0)
            {
                bq.Add(new TermQuery(new Term(TitleIndexField, term)) { Boost = count * _options.TitleBoost }, Occur.SHOULD);
            }
        }

        if (filter is null || filter.Count == 0)
        {
            return bq;
        }

        var fq = new BooleanQuery();
        foreach (var (key, value) in filter)
        {
            fq.Add(new TermQuery(new Term(MetadataPrefix + key, value)), Occur.MUST);
        }

        return new FilteredQuery(bq, new QueryWrapperFilter(fq));
    }

    private Chunk? FindOne(Query query) => WithSearcher(searcher =>
    {
        var top = searcher.Search(query, 1);
        return top.ScoreDocs.Length == 0 ? null : FromDocument(searcher.Doc(top.ScoreDocs[0].Doc));
    });

    private T WithSearcher<T>(Func<IndexSearcher, T> action)
    {
        ThrowIfDisposed();
        var searcher = _searchers.Acquire();
        try
        {
            return action(searcher);
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

    private static Document ToDocument(Chunk chunk)
    {
        var doc = new Document
        {
            new StringField(IdField, chunk.Id, Field.Store.YES),
            new StringField(DocIdField, chunk.DocumentId, Field.Store.YES),
            new StringField(VectorIdField, Indexing.ChunkIds.ToVectorId(chunk.Id).ToString(CultureInfo.InvariantCulture), Field.Store.NO),
            new StoredField(OrdinalField, chunk.Ordinal),
            new StoredField(StartField, chunk.Start),
            new StoredField(LengthField, chunk.Length),
            new StoredField(TextField, chunk.Text),
            new TextField(ContentsField, string.IsNullOrEmpty(chunk.Title) ? chunk.Text : chunk.Title + "\n" + chunk.Text, Field.Store.NO),
        };
        if (!string.IsNullOrEmpty(chunk.Title))
        {
            doc.Add(new StoredField(TitleField, chunk.Title));
            doc.Add(new TextField(TitleIndexField, chunk.Title, Field.Store.NO));
        }

        foreach (var heading in chunk.HeadingPath)
        {
            doc.Add(new StoredField(HeadingField, heading));
        }

        foreach (var (key, value) in chunk.Metadata)
        {
            doc.Add(new StringField(MetadataPrefix + key, value ?? string.Empty, Field.Store.YES));
        }

        return doc;
    }

    private static Chunk FromDocument(Document doc)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var headings = new List<string>();
        foreach (var field in doc.Fields)
        {
            if (field.Name.StartsWith(MetadataPrefix, StringComparison.Ordinal))
            {
                metadata[field.Name[MetadataPrefix.Length..]] = field.GetStringValue();
            }
            else if (field.Name == HeadingField)
            {
                headings.Add(field.GetStringValue());
            }
        }

        return new Chunk(
            doc.Get(IdField),
            doc.Get(DocIdField),
            doc.GetField(OrdinalField)?.GetInt32Value() ?? 0,
            doc.Get(TextField) ?? string.Empty,
            doc.GetField(StartField)?.GetInt32Value() ?? 0,
            doc.GetField(LengthField)?.GetInt32Value() ?? 0)
        {
            Title = doc.Get(TitleField),
            HeadingPath = headings,
            Metadata = metadata,
        };
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private sealed class Bm25SearcherFactory(Similarity similarity) : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader) => new(reader) { Similarity = similarity };
    }
}
