using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Rag.Core.Documents;
using Rag.Core.Embeddings;
using Rag.Core.Indexing;
using Rag.Core.Storage.Internal;

namespace Rag.Core.Storage;

/// <summary>
/// The single writer of an <see cref="IndexStore"/> (from <see cref="IndexStore.OpenWriterAsync"/>): puts and removes
/// documents in both indexes and the document table, and makes them visible and durable together with
/// <see cref="Commit"/>. It holds the store's OS writer lock until disposed; disposing drops uncommitted writes.
/// </summary>
/// <remarks>Thread-safe (calls are serialized). Readers never see its uncommitted writes.</remarks>
public sealed class IndexStoreWriter : IDisposable
{
    private readonly IndexStore _store;
    private readonly WriterLock _lock;
    private readonly LuceneBm25Index _keyword;
    private readonly ILogger _logger;
    private readonly IndexWriterOptions _options;
    private readonly System.Threading.Lock _sync = new();
    private IndexManifest _committed;
    private IVectorIndex? _vectors;
    private Dictionary<string, DocumentRecord> _documents;
    private string? _sourceRoot;
    private bool _resetPending;
    private bool _dirty;
    private bool _broken;
    private bool _disposed;

    private IndexStoreWriter(IndexStore store, WriterLock writerLock, LuceneBm25Index keyword, IndexWriterOptions options, IndexManifest committed)
    {
        _store = store;
        _lock = writerLock;
        _keyword = keyword;
        _logger = store.Logger;
        _options = options;
        _committed = committed;
        _sourceRoot = options.Reindex ? null : committed.SourceRoot;
        _resetPending = options.Reindex;
        _documents = new Dictionary<string, DocumentRecord>(StringComparer.Ordinal);
    }

    /// <summary>The store written to.</summary>
    public IndexStore Store => _store;

    /// <summary>The manifest of the last commit.</summary>
    public IndexManifest Committed
    {
        get
        {
            lock (_sync)
            {
                return _committed;
            }
        }
    }

    /// <summary>The last committed generation.</summary>
    public long Generation => Committed.Generation;

    /// <summary>The embedder whose vectors this writer adds (null: keyword-only).</summary>
    public EmbedderIdentity? Embedder => _options.Embedder;

    /// <summary>True when writes are waiting for <see cref="Commit"/>.</summary>
    public bool HasPendingChanges
    {
        get
        {
            lock (_sync)
            {
                return _dirty;
            }
        }
    }

    /// <summary>
    /// The folder document ids are relative to, recorded in the manifest with the next commit (see
    /// <see cref="IndexManifest.SourceRoot"/>). Starts as the committed value (null after <see cref="IndexWriterOptions.Reindex"/>).
    /// </summary>
    public string? SourceRoot
    {
        get
        {
            lock (_sync)
            {
                return _sourceRoot;
            }
        }

        set
        {
            lock (_sync)
            {
                ThrowIfUnusable();
                if (value != _sourceRoot)
                {
                    _sourceRoot = value;
                    _dirty = true;
                }
            }
        }
    }

    /// <summary>Documents in the store, including uncommitted changes.</summary>
    public IReadOnlyCollection<DocumentRecord> Documents
    {
        get
        {
            lock (_sync)
            {
                return _documents.Values.ToArray();
            }
        }
    }

    /// <summary>Looks a document up (uncommitted changes included).</summary>
    public DocumentRecord? GetDocument(string documentId)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        lock (_sync)
        {
            return _documents.GetValueOrDefault(documentId);
        }
    }

    /// <summary>
    /// Adds a document's chunks (and their vectors, row-major, <c>chunks.Count × dimension</c>; empty for a keyword-only
    /// writer), replacing every chunk of a previous version. Visible to readers after <see cref="Commit"/>.
    /// </summary>
    public void PutDocument(DocumentRecord record, IReadOnlyList<Chunk> chunks, ReadOnlySpan<float> vectors)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(chunks);
        if (record.ChunkCount != chunks.Count)
        {
            throw new ArgumentException($"Document '{record.Id}': the record lists {record.ChunkCount} chunks but {chunks.Count} were given.", nameof(record));
        }

        for (int i = 0; i < chunks.Count; i++)
        {
            if (chunks[i].DocumentId != record.Id || chunks[i].Id != Chunk.MakeId(record.Id, i))
            {
                throw new ArgumentException($"Chunk '{chunks[i].Id}' does not belong at position {i} of document '{record.Id}'.", nameof(chunks));
            }
        }

        lock (_sync)
        {
            ThrowIfUnusable();
            if (_vectors is null)
            {
                if (!vectors.IsEmpty)
                {
                    throw new ArgumentException($"Document '{record.Id}': vectors were given, but this writer has no embedder (a keyword-only store).", nameof(vectors));
                }
            }
            else if (vectors.Length != chunks.Count * _vectors.Dimension)
            {
                throw new ArgumentException(
                    $"Document '{record.Id}': {vectors.Length} floats do not make one vector of dimension {_vectors.Dimension} per chunk ({chunks.Count} chunks).",
                    nameof(vectors));
            }

            RemoveChunks(record.Id);
            if (chunks.Count > 0)
            {
                _keyword.Upsert(chunks);
                if (_vectors is not null)
                {
                    var ids = new long[chunks.Count];
                    for (int i = 0; i < ids.Length; i++)
                    {
                        ids[i] = ChunkIds.ToVectorId(chunks[i].Id);
                    }

                    _vectors.Add(ids, vectors);
                }
            }

            _documents[record.Id] = record;
            _dirty = true;
        }
    }

    /// <summary>Removes a document and its chunks from both indexes; false when it is not in the store.</summary>
    public bool RemoveDocument(string documentId)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        lock (_sync)
        {
            ThrowIfUnusable();
            if (!_documents.ContainsKey(documentId))
            {
                return false;
            }

            RemoveChunks(documentId);
            _documents.Remove(documentId);
            _dirty = true;
            return true;
        }
    }

    /// <summary>
    /// Makes every pending write durable in both indexes as one generation and shows it to readers (see
    /// <see cref="IndexStore"/> for the protocol). Without pending writes it writes nothing and returns the current generation.
    /// </summary>
    /// <returns>The committed generation.</returns>
    public long Commit()
    {
        lock (_sync)
        {
            ThrowIfUnusable();
            if (!_dirty)
            {
                return _committed.Generation;
            }

            var fs = _store.FileSystem;
            string dir = _store.Directory;
            long generation = _committed.Generation + 1;
            string? vectorsFile = null;
            if (_vectors is not null)
            {
                vectorsFile = StoreLayout.VectorsFileName(generation);
                var vectors = _vectors;
                DurableFile.Write(Path.Combine(dir, vectorsFile), vectors.Save, fs);
                _store.CommitStepObserver?.Invoke("vectors", generation);
            }

            string documentsFile = StoreLayout.DocumentsFileName(generation);
            var records = _documents.Values.OrderBy(d => d.Id, StringComparer.Ordinal).ToArray();
            DurableFile.WriteJson(Path.Combine(dir, documentsFile), records, StoreLayout.Json, fs);
            _store.CommitStepObserver?.Invoke("documents", generation);
            var manifest = new IndexManifest
            {
                // A writer that adopted a format-1 index's unrecorded settings keeps it format 1 (its embedder is still unknown).
                FormatVersion = _options.AdoptIndexSettings && _committed.FormatVersion == 1 ? 1 : IndexManifest.CurrentFormatVersion,
                Generation = generation,
                VectorsFile = vectorsFile,
                DocumentsFile = documentsFile,
                Dimension = _vectors?.Dimension ?? 0,
                DocumentCount = records.Length,
                ChunkCount = records.Sum(r => (long)r.ChunkCount),
                CommittedUtc = DateTimeOffset.UtcNow,
                Embedder = _options.Embedder,
                Analyzer = _store.Analyzer,
                Chunking = _options.Chunking ?? (_options.Reindex ? null : _committed.Chunking),
                SourceRoot = _sourceRoot,
            };

            // The commit point: once Lucene has this commit (and its folder entry is durable), recovery completes it.
            _broken = true;
            _keyword.Commit(new Dictionary<string, string>
            {
                [IndexStore.GenerationKey] = generation.ToString(CultureInfo.InvariantCulture),
                [IndexStore.ManifestKey] = JsonSerializer.Serialize(manifest, StoreLayout.Json),
            });
            fs.FsyncDirectory(Path.Combine(dir, StoreLayout.LuceneFolderName));
            _store.CommitStepObserver?.Invoke("lucene", generation);
            StoreLayout.WriteManifest(dir, manifest, fs);
            _committed = manifest;
            _dirty = false;
            _resetPending = false;
            _broken = false;
            _store.OnCommitted(manifest);
            _store.CommitStepObserver?.Invoke("manifest", generation);
            DeleteStaleFiles(generation);
            _store.CommitStepObserver?.Invoke("cleanup", generation);
            _logger.LogInformation("Committed generation {Generation} of {Directory}: {Documents} documents, {Chunks} chunks",
                generation, dir, manifest.DocumentCount, manifest.ChunkCount);
            return generation;
        }
    }

    /// <summary>
    /// Drops every pending write, returning both indexes and the document table to the last commit (or, for a writer
    /// opened with <see cref="IndexWriterOptions.Reindex"/> that has not committed yet, to the empty rebuild).
    /// </summary>
    public void Rollback()
    {
        lock (_sync)
        {
            ThrowIfDisposed();
            if (!_dirty || _broken)
            {
                return; // nothing pending; or a failed commit, after which only disposing is safe
            }

            _keyword.Rollback();
            _vectors?.Dispose();
            _vectors = null;
            _sourceRoot = _resetPending ? null : _committed.SourceRoot;
            LoadBase(idle: null);
        }
    }

    /// <summary>Drops uncommitted writes and releases the writer lock.</summary>
    public void Dispose()
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            WorkingState? clean = null;
            if (!_dirty && !_broken)
            {
                clean = new WorkingState(_committed.Generation, _vectors, _documents);
            }
            else
            {
                _vectors?.Dispose();
            }

            _vectors = null;
            try
            {
                _keyword.Dispose();
            }
            finally
            {
                _store.OnWriterClosed(this, clean);
                _lock.Dispose();
            }
        }
    }

    internal static IndexStoreWriter Open(IndexStore store, WriterLock writerLock, IndexWriterOptions options)
    {
        var fs = store.FileSystem;
        string dir = store.Directory;
        fs.CreateDirectory(Path.Combine(dir, StoreLayout.LuceneFolderName));
        if (StoreLayout.Classify(dir, out _) == FolderKind.FormatOneStore)
        {
            StoreLayout.WriteMarker(dir, fs);
            store.Logger.LogInformation("Index store {Directory}: migrating from format 1 (ownership marker written)", dir);
        }

        if (StoreLayout.ReadManifest(dir).Generation == 0)
        {
            DiscardUnreadableLucene(store);
        }

        var keyword = new LuceneBm25Index(store.LuceneDirectory, store.Options.Lucene, store.LoggerFactory?.CreateLogger<LuceneBm25Index>(), ownsDirectory: false);
        try
        {
            fs.FsyncDirectory(Path.Combine(dir, StoreLayout.LuceneFolderName));
            var manifest = Reconcile(store, StoreLayout.ReadManifest(dir), keyword);
            if (options.AdoptIndexSettings && !options.Reindex)
            {
                options = options with { Embedder = manifest.Embedder, Chunking = manifest.Chunking };
            }

            CheckSettings(store, manifest, options);
            var writer = new IndexStoreWriter(store, writerLock, keyword, options, manifest);
            writer.DeleteStaleFiles(manifest.Generation);
            if (manifest.FormatVersion < IndexManifest.CurrentFormatVersion && manifest.FormatVersion > 0 && !options.Reindex && !options.AdoptIndexSettings)
            {
                // Format 1 recorded no settings: adopt this writer's, which CheckSettings found compatible.
                manifest = manifest with
                {
                    FormatVersion = IndexManifest.CurrentFormatVersion,
                    Embedder = options.Embedder,
                    Analyzer = store.Analyzer,
                    Chunking = options.Chunking,
                };
                StoreLayout.WriteManifest(dir, manifest, fs);
                writer._committed = manifest;
                store.Logger.LogWarning(
                    "Index store {Directory}: migrated the format-1 manifest; its embedder was not recorded and is assumed to be {Embedder}",
                    dir, options.Embedder?.ToString() ?? "none (keyword-only)");
            }

            writer.LoadBase(store.TakeIdleState(manifest.Generation));
            return writer;
        }
        catch
        {
            keyword.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A power loss during the store's very first Lucene commit can leave <c>segments_N</c> files whose content never reached
    /// the disk (empty or torn), and Lucene has no older commit to fall back to. With nothing committed (manifest generation
    /// 0) nothing is lost by starting over: when no segments file of <c>lucene/</c> (a folder only the store writes) can be
    /// read, its files are deleted and the writer creates a fresh index.
    /// </summary>
    private static void DiscardUnreadableLucene(IndexStore store)
    {
        var lucene = store.LuceneDirectory;
        string[] files = lucene.ListAll();
        var segments = files.Where(f => f.StartsWith(Lucene.Net.Index.IndexFileNames.SEGMENTS + "_", StringComparison.Ordinal)).ToList();
        if (segments.Count == 0)
        {
            return;
        }

        foreach (string name in segments)
        {
            try
            {
                new Lucene.Net.Index.SegmentInfos().Read(lucene, name);
                return; // a readable commit: Lucene opens it (and reconciliation decides what it is worth)
            }
            catch (IOException)
            {
                // Empty or torn: try the next one.
            }
        }

        foreach (string name in files)
        {
            lucene.DeleteFile(name);
        }

        store.FileSystem.FsyncDirectory(Path.Combine(store.Directory, StoreLayout.LuceneFolderName));
        store.Logger.LogWarning(
            "Index store {Directory}: discarded an unreadable first BM25 commit ({Files}); nothing had been committed",
            store.Directory, string.Join(", ", segments));
    }

    private static IndexManifest Reconcile(IndexStore store, IndexManifest manifest, LuceneBm25Index keyword)
    {
        string dir = store.Directory;
        long m = manifest.Generation;
        var data = keyword.LastCommitData;
        long l = IndexStore.GenerationOf(data);
        if (l == m)
        {
            return manifest;
        }

        if (l < m)
        {
            throw new InvalidDataException(
                $"index '{dir}': the BM25 index is at generation {l}, older than the manifest's {m}. " +
                "The lucene/ folder was replaced or damaged; rebuild the index into a new folder.");
        }

        var rolled = ManifestOfCommit(data);
        if (l == m + 1 && rolled is not null && GenerationFilesExist(dir, rolled))
        {
            // Crash between the Lucene commit and the manifest write: the generation is complete, finish it.
            StoreLayout.WriteManifest(dir, rolled, store.FileSystem);
            store.Logger.LogWarning("Index store {Directory}: rolled the manifest forward from generation {From} to {To} (interrupted commit)", dir, m, l);
            return rolled;
        }

        if (keyword.RevertToCommit(d => IndexStore.GenerationOf(d) == m))
        {
            store.FileSystem.FsyncDirectory(Path.Combine(dir, StoreLayout.LuceneFolderName));
            store.Logger.LogWarning("Index store {Directory}: reverted the BM25 index from generation {From} to the manifest's {To}", dir, l, m);
            return manifest;
        }

        throw new InvalidDataException(
            $"index '{dir}': the BM25 index is at generation {l} but the manifest at {m}, and no kept BM25 commit matches it; rebuild the index into a new folder.");
    }

    /// <summary>The manifest a Lucene commit's user data records (format 2), or the one format 1's keys describe.</summary>
    private static IndexManifest? ManifestOfCommit(IReadOnlyDictionary<string, string> data)
    {
        if (data.TryGetValue(IndexStore.ManifestKey, out string? json))
        {
            return JsonSerializer.Deserialize<IndexManifest>(json, StoreLayout.Json);
        }

        if (!data.TryGetValue("rag.documentsFile", out string? documents))
        {
            return null;
        }

        string vectors = data.GetValueOrDefault("rag.vectorsFile", string.Empty);
        return new IndexManifest
        {
            FormatVersion = 1,
            Generation = IndexStore.GenerationOf(data),
            VectorsFile = vectors.Length == 0 ? null : vectors,
            DocumentsFile = documents,
            Dimension = int.Parse(data.GetValueOrDefault("rag.dimension", "0"), CultureInfo.InvariantCulture),
            DocumentCount = int.Parse(data.GetValueOrDefault("rag.documents", "0"), CultureInfo.InvariantCulture),
            ChunkCount = long.Parse(data.GetValueOrDefault("rag.chunks", "0"), CultureInfo.InvariantCulture),
            CommittedUtc = DateTimeOffset.UtcNow,
        };
    }

    private static bool GenerationFilesExist(string dir, IndexManifest manifest) =>
        manifest.DocumentsFile is not null && File.Exists(Path.Combine(dir, manifest.DocumentsFile)) &&
        (manifest.VectorsFile is null || File.Exists(Path.Combine(dir, manifest.VectorsFile)));

    private static void CheckSettings(IndexStore store, IndexManifest m, IndexWriterOptions o)
    {
        if (o.Reindex || m.DocumentCount == 0)
        {
            return; // a rebuild, or nothing indexed yet: this writer's settings become the index's
        }

        string dir = store.Directory;
        if (m.Analyzer is { } analyzer && analyzer != store.Analyzer)
        {
            throw new IndexSettingsMismatchException(dir, "analyzer", analyzer.ToString(), store.Analyzer.ToString());
        }

        if (m.FormatVersion >= IndexManifest.CurrentFormatVersion)
        {
            if (m.Embedder != o.Embedder)
            {
                throw new IndexSettingsMismatchException(dir, "embedder", Describe(m.Embedder), Describe(o.Embedder));
            }
        }
        else if (m.Dimension != (o.Embedder?.Dimension ?? 0))
        {
            string built = m.Dimension == 0 ? "no embedder (keyword-only)" : $"an unrecorded embedder of {m.Dimension} dimensions";
            throw new IndexSettingsMismatchException(dir, "embedder", built, Describe(o.Embedder));
        }

        if (m.Chunking is { } chunking && o.Chunking is { } configured && chunking != configured)
        {
            throw new IndexSettingsMismatchException(dir, "chunking", $"'{chunking}'", $"'{configured}'");
        }
    }

    private static string Describe(EmbedderIdentity? embedder) => embedder?.ToString() ?? "no embedder (keyword-only)";

    /// <summary>
    /// Sets the in-memory state to the base that <see cref="Rollback"/> returns to: the committed generation, or an
    /// empty index when a rebuild has not committed yet. Vectors exist from the start whenever there is an embedder.
    /// </summary>
    private void LoadBase(WorkingState? idle)
    {
        var embedder = _options.Embedder;
        if (_resetPending)
        {
            idle?.Vectors?.Dispose();
            _keyword.DeleteAll();
            _documents = new Dictionary<string, DocumentRecord>(StringComparer.Ordinal);
            _vectors = embedder is null ? null : _store.VectorFactory.Create(embedder.Dimension);
            _dirty = true;
            return;
        }

        if (idle is not null)
        {
            _documents = idle.Documents;
            _vectors = idle.Vectors;
        }
        else
        {
            _documents = _store.ReadDocuments(_committed);
            _vectors = _committed.VectorsFile is null ? null : _store.VectorFactory.Load(Path.Combine(_store.Directory, _committed.VectorsFile));
        }

        // An empty store adopts this writer's embedder (or lack of one).
        if (embedder is null && _vectors is not null && _documents.Count == 0)
        {
            _vectors.Dispose();
            _vectors = null;
        }
        else if (embedder is not null && (_vectors is null || _vectors.Dimension != embedder.Dimension) && _documents.Count == 0)
        {
            _vectors?.Dispose();
            _vectors = _store.VectorFactory.Create(embedder.Dimension);
        }

        _dirty = false;
    }

    private void RemoveChunks(string documentId)
    {
        if (!_documents.TryGetValue(documentId, out var old))
        {
            return;
        }

        _keyword.DeleteDocument(documentId);
        if (_vectors is not null && old.ChunkCount > 0)
        {
            _vectors.Remove(old.ChunkIds().Select(ChunkIds.ToVectorId).ToArray());
        }
    }

    /// <summary>Deletes the store's own files that the current generation does not use: other generations' files and temp files.</summary>
    private void DeleteStaleFiles(long keep)
    {
        foreach (string file in System.IO.Directory.EnumerateFiles(_store.Directory))
        {
            string name = Path.GetFileName(file);
            long? generation = StoreLayout.GenerationOfFile(name);
            bool stale = generation is not null ? generation != keep : DurableFile.TempTarget(name) is { } target && StoreLayout.IsStoreFileName(target);
            if (!stale)
            {
                continue;
            }

            try
            {
                _store.FileSystem.DeleteFile(file);
            }
            catch (IOException ex)
            {
                _logger.LogWarning(ex, "Could not delete the stale file {File}", file);
            }
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void ThrowIfUnusable()
    {
        ThrowIfDisposed();
        if (_broken)
        {
            throw new InvalidOperationException(
                $"A commit to index '{_store.Directory}' failed after its commit point; dispose this writer and open a new one (recovery completes or undoes that commit).");
        }
    }
}
