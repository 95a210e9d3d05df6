using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Core.Documents;
using Rag.Core.Indexing;
using Rag.Ingest.Storage.Internal;

namespace Rag.Ingest.Storage;

/// <summary>
/// A folder holding the BM25 index, the vector index and the document table, changed only by whole commits that cover
/// all three. Single writer: one <see cref="IndexStore"/> per folder at a time.
/// </summary>
/// <remarks>
/// <para>Layout: <c>lucene/</c> (Lucene index), <c>vectors.&lt;gen&gt;.bin</c> (full vector index of generation gen),
/// <c>documents.&lt;gen&gt;.json</c> (document id → content hash, chunk count), <c>manifest.json</c>.</para>
/// <para>Commit of generation g+1, in this order:
/// (1) write <c>vectors.g+1.bin</c> and (2) <c>documents.g+1.json</c>, each to a temp file, fsync, rename;
/// (3) Lucene commit with user data <c>rag.generation = g+1</c> (and the counts) — this is the commit point;
/// (4) write <c>manifest.json</c> (temp, fsync, rename); (5) delete the files of older generations.</para>
/// <para>Recovery on open: let M be the manifest's generation and L Lucene's. L == M: clean. L == M+1 with its vector and
/// document files present: the crash fell between (3) and (4), so the commit is complete and the manifest is rolled
/// forward. Anything else with L &gt; M (not produced by this protocol, for example a manifest restored from a backup):
/// Lucene is reverted to its kept commit of generation M, or opening fails. Lucene drops uncommitted segments by itself,
/// and files of generations other than the current one, and temp files, are deleted. So a crash at any point leaves
/// exactly the last complete commit: both indexes hold the same chunk ids, none twice, none of a committed batch lost.</para>
/// <para>The whole vector index is rewritten at each commit, which is simple and crash-proof but costs O(index size) per
/// commit: commit in batches (see <see cref="Pipeline.IngestionOptions.CommitEveryDocuments"/>).</para>
/// </remarks>
public sealed partial class IndexStore : IDisposable
{
    /// <summary>Lucene commit user-data key holding the store generation.</summary>
    public const string GenerationKey = "rag.generation";

    private const string ManifestFileName = "manifest.json";
    private const string DocumentsKey = "rag.documents";
    private const string ChunksKey = "rag.chunks";
    private const string DimensionKey = "rag.dimension";
    private const string VectorsFileKey = "rag.vectorsFile";
    private const string DocumentsFileKey = "rag.documentsFile";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };
    private static readonly JsonSerializerOptions JsonIndented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly IndexStoreOptions _options;
    private readonly ILogger _logger;
    private readonly System.Threading.Lock _lock = new();
    private readonly LuceneBm25Index _keyword;
    private IVectorIndex? _vectors;
    private Dictionary<string, DocumentRecord> _documents;
    private IndexManifest _manifest;
    private bool _dirty;
    private bool _disposed;

    /// <summary>
    /// Fault injection for the crash harness: called after each commit step ("vectors", "documents", "lucene",
    /// "manifest", "cleanup") with the generation being committed. Null in production.
    /// </summary>
    internal Action<string, long>? CommitStepObserver { get; set; }

    private IndexStore(IndexStoreOptions options, ILogger logger, LuceneBm25Index keyword, IndexManifest manifest)
    {
        _options = options;
        Directory = Path.GetFullPath(options.Directory);
        _logger = logger;
        _keyword = keyword;
        _manifest = manifest;
        _documents = LoadDocuments(manifest);
        _vectors = LoadVectors(manifest);
    }

    /// <summary>The store folder (full path).</summary>
    public string Directory { get; }

    /// <summary>The last committed generation (0 for an empty store).</summary>
    public long Generation
    {
        get
        {
            lock (_lock)
            {
                return _manifest.Generation;
            }
        }
    }

    /// <summary>The manifest of the last commit.</summary>
    public IndexManifest Manifest
    {
        get
        {
            lock (_lock)
            {
                return _manifest;
            }
        }
    }

    /// <summary>The BM25 index. Search sees the last commit; write only through the store.</summary>
    public LuceneBm25Index Keyword => _keyword;

    /// <summary>The vector index (it includes uncommitted writes), or null while the store holds no vectors.</summary>
    public IVectorIndex? Vectors => _vectors;

    /// <summary>True when writes are waiting for <see cref="Commit"/>.</summary>
    public bool HasPendingChanges
    {
        get
        {
            lock (_lock)
            {
                return _dirty;
            }
        }
    }

    /// <summary>Documents in the store, including uncommitted changes.</summary>
    public IReadOnlyCollection<DocumentRecord> Documents
    {
        get
        {
            lock (_lock)
            {
                return _documents.Values.ToArray();
            }
        }
    }

    /// <summary>Opens (or creates) the store in <see cref="IndexStoreOptions.Directory"/>, recovering from an interrupted commit.</summary>
    /// <exception cref="InvalidDataException">The folder's indexes cannot be brought to a common commit.</exception>
    public static IndexStore Open(IndexStoreOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        logger ??= NullLogger.Instance;
        string dir = Path.GetFullPath(options.Directory);
        System.IO.Directory.CreateDirectory(dir);
        foreach (string temp in System.IO.Directory.EnumerateFiles(dir, "*" + DurableFile.TempSuffix))
        {
            File.Delete(temp);
        }

        string manifestPath = Path.Combine(dir, ManifestFileName);
        var manifest = File.Exists(manifestPath)
            ? DurableFile.ReadJson<IndexManifest>(manifestPath, Json) ?? throw new InvalidDataException($"'{manifestPath}' is empty.")
            : new IndexManifest();

        var keyword = LuceneBm25Index.Open(Path.Combine(dir, "lucene"), options.Lucene, logger);
        try
        {
            manifest = Reconcile(dir, manifest, keyword, logger);
            var store = new IndexStore(options, logger, keyword, manifest);
            store.DeleteOtherGenerations(manifest.Generation);
            logger.LogInformation(
                "Opened index store {Directory} at generation {Generation}: {Documents} documents, {Chunks} chunks",
                dir, manifest.Generation, manifest.DocumentCount, manifest.ChunkCount);
            return store;
        }
        catch
        {
            keyword.Dispose();
            throw;
        }
    }

    /// <summary>Looks a document up (uncommitted changes included).</summary>
    public DocumentRecord? GetDocument(string documentId)
    {
        lock (_lock)
        {
            return _documents.GetValueOrDefault(documentId);
        }
    }

    /// <summary>
    /// Adds a document's chunks (and their vectors, row-major, <c>chunks.Count × dimension</c>; empty for a keyword-only
    /// store), replacing every chunk of a previous version. Visible after <see cref="Commit"/>.
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

        lock (_lock)
        {
            ThrowIfDisposed();
            if (!vectors.IsEmpty || _vectors is not null || _manifest.Dimension > 0)
            {
                int dimension = chunks.Count == 0 ? _vectors?.Dimension ?? 0 : vectors.Length / chunks.Count;
                if (chunks.Count > 0 && (vectors.Length == 0 || vectors.Length % chunks.Count != 0))
                {
                    throw new ArgumentException(
                        $"Document '{record.Id}': {vectors.Length} floats do not make one vector per chunk ({chunks.Count} chunks); this store holds vectors.",
                        nameof(vectors));
                }

                if (chunks.Count > 0)
                {
                    _vectors ??= _options.CreateVectorIndex(dimension);
                    if (_vectors.Dimension != dimension)
                    {
                        throw new ArgumentException(
                            $"Document '{record.Id}': vectors of dimension {dimension}, but the store's vectors have dimension {_vectors.Dimension}.", nameof(vectors));
                    }
                }
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
        lock (_lock)
        {
            ThrowIfDisposed();
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
    /// Makes every pending write durable in both indexes as one generation (see the class remarks for the protocol).
    /// Without pending writes it writes nothing and returns the current generation.
    /// </summary>
    public long Commit()
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            if (!_dirty)
            {
                return _manifest.Generation;
            }

            long generation = _manifest.Generation + 1;
            string? vectorsFile = null;
            if (_vectors is not null)
            {
                vectorsFile = VectorsFileName(generation);
                _vectors.Save(Path.Combine(Directory, vectorsFile));
                CommitStepObserver?.Invoke("vectors", generation);
            }

            string documentsFile = DocumentsFileName(generation);
            var records = _documents.Values.OrderBy(d => d.Id, StringComparer.Ordinal).ToArray();
            DurableFile.WriteJson(Path.Combine(Directory, documentsFile), records, Json);
            CommitStepObserver?.Invoke("documents", generation);
            long chunks = records.Sum(r => (long)r.ChunkCount);
            var userData = new Dictionary<string, string>
            {
                [GenerationKey] = generation.ToString(CultureInfo.InvariantCulture),
                [DocumentsKey] = records.Length.ToString(CultureInfo.InvariantCulture),
                [ChunksKey] = chunks.ToString(CultureInfo.InvariantCulture),
                [DimensionKey] = (_vectors?.Dimension ?? 0).ToString(CultureInfo.InvariantCulture),
                [VectorsFileKey] = vectorsFile ?? string.Empty,
                [DocumentsFileKey] = documentsFile,
            };

            // The commit point: once Lucene has this commit, recovery rolls the manifest forward to it.
            _keyword.Commit(userData);
            CommitStepObserver?.Invoke("lucene", generation);
            _manifest = ManifestFrom(userData);
            _dirty = false;
            WriteManifest(Directory, _manifest);
            CommitStepObserver?.Invoke("manifest", generation);
            DeleteOtherGenerations(generation);
            CommitStepObserver?.Invoke("cleanup", generation);
            _logger.LogInformation("Committed generation {Generation}: {Documents} documents, {Chunks} chunks", generation, records.Length, chunks);
            return generation;
        }
    }

    /// <summary>Drops every pending write, returning both indexes and the document table to the last commit.</summary>
    public void Rollback()
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            if (!_dirty)
            {
                return;
            }

            _keyword.Rollback();
            _vectors?.Dispose();
            _vectors = LoadVectors(_manifest);
            _documents = LoadDocuments(_manifest);
            _dirty = false;
        }
    }

    /// <summary>Checks that the committed BM25 index, vector index, document table and manifest agree.</summary>
    /// <exception cref="InvalidOperationException">Writes are pending.</exception>
    public StoreVerification Verify()
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            if (_dirty)
            {
                throw new InvalidOperationException("Verify needs a committed state; commit or roll back first.");
            }

            var expected = new HashSet<string>(_documents.Values.SelectMany(d => d.ChunkIds()), StringComparer.Ordinal);
            var keywordIds = _keyword.ChunkIds();
            var distinct = new HashSet<string>(keywordIds, StringComparer.Ordinal);
            int missingVectors = 0;
            if (_vectors is not null)
            {
                missingVectors = expected.Count(id => !_vectors.Contains(ChunkIds.ToVectorId(id)));
            }

            return new StoreVerification(
                _manifest.Generation,
                _documents.Count,
                _manifest.ChunkCount,
                _documents.Values.Sum(d => (long)d.ChunkCount),
                keywordIds.Count,
                keywordIds.Count - distinct.Count,
                _vectors?.Count ?? 0,
                expected.Count(id => !distinct.Contains(id)),
                distinct.Count(id => !expected.Contains(id)),
                missingVectors);
        }
    }

    /// <summary>Closes both indexes, dropping uncommitted writes.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _keyword.Dispose();
            _vectors?.Dispose();
        }
    }

    private static IndexManifest Reconcile(string dir, IndexManifest manifest, LuceneBm25Index keyword, ILogger logger)
    {
        long m = manifest.Generation;
        long l = GenerationOf(keyword.LastCommitData);
        if (l == m)
        {
            return manifest;
        }

        if (l < m)
        {
            throw new InvalidDataException(
                $"Index store '{dir}': the BM25 index is at generation {l}, older than the manifest's {m}. " +
                "The lucene/ folder was replaced or damaged; re-ingest into a new store.");
        }

        var data = keyword.LastCommitData;
        if (l == m + 1 && GenerationFilesExist(dir, data))
        {
            // Crash between the Lucene commit and the manifest write: the generation is complete, finish it.
            var rolled = ManifestFrom(data);
            WriteManifest(dir, rolled);
            logger.LogWarning("Index store {Directory}: rolled the manifest forward from generation {From} to {To} (interrupted commit)", dir, m, l);
            return rolled;
        }

        if (keyword.RevertToCommit(d => GenerationOf(d) == m))
        {
            logger.LogWarning("Index store {Directory}: reverted the BM25 index from generation {From} to the manifest's {To}", dir, l, m);
            return manifest;
        }

        throw new InvalidDataException(
            $"Index store '{dir}': the BM25 index is at generation {l} but the manifest at {m}, and no kept BM25 commit matches it.");
    }

    private static bool GenerationFilesExist(string dir, IReadOnlyDictionary<string, string> data)
    {
        string vectors = data.GetValueOrDefault(VectorsFileKey, string.Empty);
        string documents = data.GetValueOrDefault(DocumentsFileKey, string.Empty);
        return documents.Length > 0 && File.Exists(Path.Combine(dir, documents)) && (vectors.Length == 0 || File.Exists(Path.Combine(dir, vectors)));
    }

    private static long GenerationOf(IReadOnlyDictionary<string, string> data) =>
        data.TryGetValue(GenerationKey, out string? g) ? long.Parse(g, CultureInfo.InvariantCulture) : 0;

    private static IndexManifest ManifestFrom(IReadOnlyDictionary<string, string> data)
    {
        string vectors = data[VectorsFileKey];
        return new IndexManifest
        {
            Generation = GenerationOf(data),
            VectorsFile = vectors.Length == 0 ? null : vectors,
            DocumentsFile = data[DocumentsFileKey],
            Dimension = int.Parse(data[DimensionKey], CultureInfo.InvariantCulture),
            DocumentCount = int.Parse(data[DocumentsKey], CultureInfo.InvariantCulture),
            ChunkCount = long.Parse(data[ChunksKey], CultureInfo.InvariantCulture),
            CommittedUtc = DateTimeOffset.UtcNow,
        };
    }

    private static void WriteManifest(string dir, IndexManifest manifest) =>
        DurableFile.WriteJson(Path.Combine(dir, ManifestFileName), manifest, JsonIndented);

    private static string VectorsFileName(long generation) => string.Create(CultureInfo.InvariantCulture, $"vectors.{generation}.bin");

    private static string DocumentsFileName(long generation) => string.Create(CultureInfo.InvariantCulture, $"documents.{generation}.json");

    private Dictionary<string, DocumentRecord> LoadDocuments(IndexManifest manifest)
    {
        var documents = new Dictionary<string, DocumentRecord>(StringComparer.Ordinal);
        if (manifest.DocumentsFile is null)
        {
            return documents;
        }

        string path = Path.Combine(Directory, manifest.DocumentsFile);
        var records = DurableFile.ReadJson<DocumentRecord[]>(path, Json) ?? throw new InvalidDataException($"'{path}' is empty.");
        foreach (var record in records)
        {
            documents[record.Id] = record;
        }

        return documents;
    }

    private IVectorIndex? LoadVectors(IndexManifest manifest) =>
        manifest.VectorsFile is null ? null : _options.LoadVectorIndex(Path.Combine(Directory, manifest.VectorsFile));

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

    private void DeleteOtherGenerations(long keep)
    {
        foreach (string file in System.IO.Directory.EnumerateFiles(Directory))
        {
            var match = GenerationFile().Match(Path.GetFileName(file));
            if (match.Success && long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) != keep)
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException ex)
                {
                    _logger.LogWarning(ex, "Could not delete the stale file {File}", file);
                }
            }
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    [GeneratedRegex(@"^(?:vectors|documents)\.(\d+)\.(?:bin|json)$", RegexOptions.CultureInvariant)]
    private static partial Regex GenerationFileRegex();

    private static Regex GenerationFile() => GenerationFileRegex();
}
