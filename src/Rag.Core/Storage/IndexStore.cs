using System.Globalization;
using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.Search.Similarities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Core.Embeddings;
using Rag.Core.Indexing;
using Rag.Core.Indexing.Internal;
using Rag.Core.Storage.Internal;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Rag.Core.Storage;

/// <summary>
/// The one index store: a folder holding a BM25 index (Lucene), a vector index and a document table, changed only by
/// whole commits that cover all three. Readers take <see cref="AcquireSnapshot">snapshots</see> of the latest commit and
/// take no lock; one writer at a time (<see cref="OpenWriterAsync"/>) holds an OS file lock. Ingestion, retrieval, the
/// CLI and dependency injection all use this type, so one folder is always one index.
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> <c>rag-index.json</c> (ownership marker), <c>manifest.json</c> (current generation, counts and the
/// settings the index was built with), <c>lucene/</c> (Lucene index), <c>vectors.&lt;g&gt;.bin</c> (vectors of
/// generation g), <c>documents.&lt;g&gt;.json</c> (document id → content hash, chunk count, source), <c>writer.lock</c>
/// and <c>writer.pid</c> (the writer lock and its holder). The store refuses a non-empty folder without its marker (or
/// the format-1 layout, which it migrates), and deletes only files of these names that it wrote: temp files of its own
/// writes and other generations' files.</para>
/// <para><b>Commit of generation g+1</b> (<see cref="IndexStoreWriter.Commit"/>): (1) <c>vectors.g+1.bin</c> and
/// (2) <c>documents.g+1.json</c>, each written to a temp file, fsynced, renamed, and the folder fsynced; (3) the Lucene
/// commit with user data <c>rag.generation = g+1</c> and the new manifest, then an fsync of <c>lucene/</c> — this is the
/// commit point; (4) <c>manifest.json</c> (temp, fsync, rename, folder fsync); (5) the files of older generations are
/// deleted. Every step that must survive a power loss is fsynced before the next begins.</para>
/// <para><b>Recovery</b> (when a writer opens): Lucene at the manifest's generation: clean. Lucene one ahead with its
/// generation files present: the crash fell between (3) and (4), the commit is complete, and the manifest is rolled
/// forward. Anything else ahead: Lucene is reverted to its kept commit of the manifest's generation. Lucene drops
/// uncommitted segments by itself; the store's temp files and other generations' files are deleted. So a crash or a
/// power loss at any point leaves exactly the last complete commit.</para>
/// <para><b>Readers</b> see the generation the manifest names (or the one an in-process writer just committed): a Lucene
/// reader on that commit (Lucene keeps the last <see cref="LuceneIndexOptions.KeepCommits"/> commits) and that
/// generation's vector file, loaded into an index nobody writes to. A reader in another process that loses a race with a
/// writer deleting an old generation retries with the newer one.</para>
/// </remarks>
public sealed class IndexStore : IDisposable
{
    /// <summary>The ownership marker's file name: a folder with it is an index store.</summary>
    public const string MarkerFileName = StoreLayout.MarkerFileName;

    /// <summary>Lucene commit user-data key holding the store generation.</summary>
    public const string GenerationKey = "rag.generation";

    /// <summary>Lucene commit user-data key holding the manifest of that commit (used to roll the manifest forward).</summary>
    internal const string ManifestKey = "rag.manifest";

    private const int SnapshotAttempts = 10;

    private readonly IndexStoreOptions _options;
    private readonly ILogger _logger;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly Analyzer _queryAnalyzer;
    private readonly BM25Similarity _similarity;
    private readonly ManifestWatch _watch;
    private readonly System.Threading.Lock _snapshotLock = new();
    private readonly System.Threading.Lock _stateLock = new();
    private volatile SnapshotState? _current;
    private WorkingState? _idle;
    private IndexStoreWriter? _writer;
    private volatile bool _disposed;

    private IndexStore(IndexStoreOptions options, string directory, LuceneDirectory lucene, ILogger logger, ILoggerFactory? loggerFactory)
    {
        _options = options;
        Directory = directory;
        LuceneDirectory = lucene;
        _logger = logger;
        _loggerFactory = loggerFactory;
        _queryAnalyzer = EnglishAnalyzerFactory.Create(options.Lucene.Analysis);
        _similarity = new BM25Similarity(options.Lucene.K1, options.Lucene.B);
        _watch = new ManifestWatch(directory);
        VectorFactory = new VectorIndexFactory(options.Vectors, loggerFactory?.CreateLogger<VectorIndexFactory>());
    }

    /// <summary>The store folder (full path).</summary>
    public string Directory { get; }

    /// <summary>The options in use.</summary>
    public IndexStoreOptions Options => _options;

    /// <summary>The manifest of the latest commit (re-read when another process has committed since).</summary>
    public IndexManifest Manifest
    {
        get
        {
            ThrowIfDisposed();
            return _watch.Current();
        }
    }

    /// <summary>The latest committed generation (0 for a new store).</summary>
    public long Generation => Manifest.Generation;

    /// <summary>The analyzer settings this store's options give (checked against the manifest).</summary>
    public AnalyzerSettings Analyzer => AnalyzerSettings.From(_options.Lucene);

    /// <summary>
    /// Fault injection for the crash harness: called after each commit step ("vectors", "documents", "lucene",
    /// "manifest", "cleanup") with the generation being committed. Null in production.
    /// </summary>
    internal Action<string, long>? CommitStepObserver { get; set; }

    internal LuceneDirectory LuceneDirectory { get; }

    internal VectorIndexFactory VectorFactory { get; }

    internal StoreFileSystem FileSystem => _options.FileSystem;

    internal ILogger Logger => _logger;

    internal ILoggerFactory? LoggerFactory => _loggerFactory;

    /// <summary>
    /// Opens the store in <see cref="IndexStoreOptions.Directory"/>, creating it when the folder is missing or empty.
    /// Opening takes no lock and changes nothing in an existing store (recovery and format-1 migration happen when a
    /// writer opens).
    /// </summary>
    /// <exception cref="NotAnIndexException">The folder is not empty and holds no index, or an index of a newer format.</exception>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">The options are invalid.</exception>
    public static IndexStore Open(IndexStoreOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var logger = (ILogger?)loggerFactory?.CreateLogger<IndexStore>() ?? NullLogger.Instance;
        string dir = Path.GetFullPath(options.Directory);
        var fs = options.FileSystem;
        switch (StoreLayout.Classify(dir, out var foreign))
        {
            case FolderKind.Foreign:
                string shown = string.Join(", ", foreign.Take(3).Select(f => $"'{f}'")) + (foreign.Count > 3 ? $" and {foreign.Count - 3} more" : string.Empty);
                throw new NotAnIndexException(
                    dir,
                    $"'{dir}' is not empty and is not a Rag index (it holds {shown}); give the index an empty or new folder, or one created by Rag");
            case FolderKind.Missing:
            case FolderKind.Empty:
                fs.CreateDirectory(dir);
                StoreLayout.WriteMarker(dir, fs);
                logger.LogInformation("Created index store {Directory}", dir);
                break;
            case FolderKind.Store:
                StoreLayout.CheckMarker(dir);
                break;
            case FolderKind.FormatOneStore:
                logger.LogInformation("Index store {Directory} has the format-1 layout; the first writer migrates it", dir);
                break;
        }

        var lucene = fs.OpenLuceneDirectory(Path.Combine(dir, StoreLayout.LuceneFolderName));
        var store = new IndexStore(options, dir, lucene, logger, loggerFactory);
        try
        {
            var manifest = store._watch.Current();
            logger.LogDebug("Opened index store {Directory} at generation {Generation}", dir, manifest.Generation);
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="directory"/> holds an index store (of this format or the older one).</summary>
    public static bool Exists(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return StoreLayout.Classify(Path.GetFullPath(directory), out _) is FolderKind.Store or FolderKind.FormatOneStore;
    }

    /// <summary>
    /// A read lease on the latest committed generation. Dispose it when done; commits, rollbacks and recovery never affect
    /// it. Never shows uncommitted writes.
    /// </summary>
    /// <exception cref="IndexSettingsMismatchException">The index was built with another analyzer than these options give.</exception>
    /// <exception cref="InvalidDataException">The committed generation cannot be opened (damaged or missing files).</exception>
    public IndexSnapshot AcquireSnapshot()
    {
        ThrowIfDisposed();
        Exception? last = null;
        for (int attempt = 0; attempt < SnapshotAttempts; attempt++)
        {
            var manifest = _watch.Current();
            var current = _current;
            if (current is not null && current.Generation == manifest.Generation && current.TryAcquire())
            {
                return new IndexSnapshot(current);
            }

            lock (_snapshotLock)
            {
                ThrowIfDisposed();
                current = _current;
                if (current is not null && current.Generation == manifest.Generation)
                {
                    continue; // another thread opened it meanwhile
                }

                SnapshotState built;
                try
                {
                    built = OpenSnapshot(manifest, current);
                }
                catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or StaleGenerationException)
                {
                    // A writer in another process moved on and deleted what this generation needed: read the manifest again.
                    last = ex;
                    _watch.Invalidate();
                    continue;
                }

                _current = built;
                current?.Release();
                if (built.TryAcquire())
                {
                    return new IndexSnapshot(built);
                }
            }
        }

        throw new InvalidDataException(
            $"index '{Directory}': the committed generation could not be opened after {SnapshotAttempts} attempts ({last?.Message}); " +
            "if no other process is writing to it, the index is damaged: rebuild it", last);
    }

    /// <summary>
    /// Opens the single writer: takes the store's writer lock (waiting up to <see cref="IndexStoreOptions.WriterLockTimeout"/>),
    /// recovers from an interrupted commit, migrates a format-1 store, and checks the settings in
    /// <paramref name="options"/> against the ones the index was built with. Dispose it to release the lock.
    /// </summary>
    /// <exception cref="IndexLockedException">Another writer held the lock for the whole wait.</exception>
    /// <exception cref="IndexSettingsMismatchException">The settings differ and <see cref="IndexWriterOptions.Reindex"/> is not set.</exception>
    public async Task<IndexStoreWriter> OpenWriterAsync(IndexWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        options ??= new IndexWriterOptions();
        var writerLock = await WriterLock.AcquireAsync(Directory, _options.WriterLockTimeout, cancellationToken).ConfigureAwait(false);
        try
        {
            var writer = IndexStoreWriter.Open(this, writerLock, options);
            lock (_stateLock)
            {
                _writer = writer;
            }

            _watch.Pin(writer.Committed);
            return writer;
        }
        catch
        {
            writerLock.Dispose();
            throw;
        }
    }

    /// <summary>Synchronous <see cref="OpenWriterAsync"/>.</summary>
    public IndexStoreWriter OpenWriter(IndexWriterOptions? options = null, CancellationToken cancellationToken = default) =>
        OpenWriterAsync(options, cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Closes the store: the latest snapshot (once its leases end), cached vectors and the Lucene directory. Dispose every
    /// <see cref="IndexSnapshot"/> and the writer first.
    /// </summary>
    public void Dispose()
    {
        IndexStoreWriter? writer;
        lock (_stateLock)
        {
            if (_disposed)
            {
                return;
            }

            writer = _writer;
        }

        writer?.Dispose();
        lock (_snapshotLock)
        {
            lock (_stateLock)
            {
                _disposed = true;
                _idle?.Vectors?.Dispose();
                _idle = null;
            }

            _current?.Release();
            _current = null;
        }

        _queryAnalyzer.Dispose();
        LuceneDirectory.Dispose();
    }

    /// <summary>Checks the embedder a reader queries with against the one the snapshot's vectors came from.</summary>
    /// <exception cref="IndexSettingsMismatchException">They differ.</exception>
    public void CheckQueryEmbedder(IndexManifest manifest, EmbedderIdentity embedder)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(embedder);
        if (manifest.Embedder is { } built)
        {
            if (built != embedder)
            {
                throw new IndexSettingsMismatchException(Directory, "embedder", built.ToString(), embedder.ToString());
            }
        }
        else if (manifest.Dimension > 0 && manifest.Dimension != embedder.Dimension)
        {
            // Format 1 recorded only the dimension.
            throw new IndexSettingsMismatchException(
                Directory, "embedder", $"an unrecorded embedder of {manifest.Dimension} dimensions", embedder.ToString());
        }
    }

    internal static long GenerationOf(IDictionary<string, string>? data) =>
        data is not null && data.TryGetValue(GenerationKey, out string? g) ? long.Parse(g, CultureInfo.InvariantCulture) : 0;

    internal static long GenerationOf(IReadOnlyDictionary<string, string> data) =>
        data.TryGetValue(GenerationKey, out string? g) ? long.Parse(g, CultureInfo.InvariantCulture) : 0;

    /// <summary>A writer of this store committed: readers switch to its generation.</summary>
    internal void OnCommitted(IndexManifest manifest) => _watch.Pin(manifest);

    /// <summary>A writer closed; a clean working state is kept for the next writer of this process.</summary>
    internal void OnWriterClosed(IndexStoreWriter writer, WorkingState? clean)
    {
        lock (_stateLock)
        {
            if (_writer == writer)
            {
                _writer = null;
            }

            _idle?.Vectors?.Dispose();
            _idle = _disposed ? null : clean;
            if (_disposed)
            {
                clean?.Vectors?.Dispose();
            }
        }

        _watch.Unpin();
    }

    /// <summary>The working state the last writer of this process left, if it is still of <paramref name="generation"/>.</summary>
    internal WorkingState? TakeIdleState(long generation)
    {
        lock (_stateLock)
        {
            var idle = _idle;
            _idle = null;
            if (idle is not null && idle.Generation != generation)
            {
                idle.Vectors?.Dispose();
                return null;
            }

            return idle;
        }
    }

    internal Dictionary<string, DocumentRecord> ReadDocuments(IndexManifest manifest)
    {
        var documents = new Dictionary<string, DocumentRecord>(StringComparer.Ordinal);
        if (manifest.DocumentsFile is null)
        {
            return documents;
        }

        string path = Path.Combine(Directory, manifest.DocumentsFile);
        foreach (var record in DurableFile.ReadJson<DocumentRecord[]>(path, StoreLayout.Json))
        {
            documents[record.Id] = record;
        }

        return documents;
    }

    private SnapshotState OpenSnapshot(IndexManifest manifest, SnapshotState? previous)
    {
        var configured = Analyzer;
        if (manifest.Analyzer is { } built && built != configured)
        {
            throw new IndexSettingsMismatchException(Directory, "analyzer", built.ToString(), configured.ToString());
        }

        IndexReader reader;
        if (manifest.Generation == 0)
        {
            // Nothing committed yet: an empty index, whatever lucene/ holds (a first commit in flight or torn by a power loss).
            reader = new MultiReader();
        }
        else if (!DirectoryReader.IndexExists(LuceneDirectory))
        {
            throw new InvalidDataException($"index '{Directory}': the manifest names generation {manifest.Generation} but the lucene/ folder holds no index.");
        }
        else
        {
            var commit = DirectoryReader.ListCommits(LuceneDirectory).LastOrDefault(c => GenerationOf(c.UserData) == manifest.Generation)
                ?? throw new StaleGenerationException($"no kept Lucene commit of generation {manifest.Generation}");
            var previousReader = previous?.DirectoryReader;
            if (previousReader is null)
            {
                reader = DirectoryReader.Open(commit);
            }
            else
            {
                var reopened = DirectoryReader.OpenIfChanged(previousReader, commit);
                if (reopened is null)
                {
                    previousReader.IncRef();
                    reader = previousReader;
                }
                else
                {
                    reader = reopened;
                }
            }
        }

        FileStream? documentsFile = null;
        IVectorIndex? vectors = null;
        try
        {
            // Open the document table now and read it on first use: the open handle keeps the file readable even if a
            // writer in another process deletes it after a newer commit.
            if (manifest.DocumentsFile is not null)
            {
                documentsFile = new FileStream(
                    Path.Combine(Directory, manifest.DocumentsFile), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }

            if (manifest.VectorsFile is not null)
            {
                vectors = VectorFactory.Load(Path.Combine(Directory, manifest.VectorsFile));
            }

            var searcher = new Lucene.Net.Search.IndexSearcher(reader) { Similarity = _similarity };
            var table = documentsFile;
            return new SnapshotState(
                manifest,
                reader,
                new LuceneKeywordSearcher(searcher, _queryAnalyzer, _options.Lucene),
                vectors,
                () => LoadDocuments(table))
            {
                Closed = () => table?.Dispose(),
            };
        }
        catch
        {
            documentsFile?.Dispose();
            vectors?.Dispose();
            reader.DecRef();
            throw;
        }
    }

    private Dictionary<string, DocumentRecord> LoadDocuments(FileStream? file)
    {
        var documents = new Dictionary<string, DocumentRecord>(StringComparer.Ordinal);
        if (file is null)
        {
            return documents;
        }

        DocumentRecord[] records;
        try
        {
            file.Position = 0;
            records = System.Text.Json.JsonSerializer.Deserialize<DocumentRecord[]>(file, StoreLayout.Json)
                ?? throw new InvalidDataException($"'{file.Name}' is empty (JSON null).");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new InvalidDataException($"'{file.Name}' is not valid: {ex.Message}", ex);
        }
        finally
        {
            file.Dispose();
        }

        foreach (var record in records)
        {
            documents[record.Id] = record;
        }

        return documents;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>The generation a manifest named is no longer on disk: a newer commit replaced it.</summary>
    private sealed class StaleGenerationException(string message) : Exception(message);
}

/// <summary>A writer's in-memory state of one generation: its vectors (a private, writable copy) and document table.</summary>
internal sealed record WorkingState(long Generation, IVectorIndex? Vectors, Dictionary<string, DocumentRecord> Documents);
