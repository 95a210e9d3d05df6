using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Core.Documents;
using Rag.Core.Embeddings;
using Rag.Core.Storage;
using Rag.Ingest.Chunking;
using Rag.Ingest.Loaders;
using Rag.Ingest.Pipeline.Internal;

namespace Rag.Ingest.Pipeline;

/// <summary>
/// Load → hash → chunk → dedup → embed → index → commit, in two stages joined by a bounded channel. The loading stage
/// loads, hashes and chunks (skipping the chunking of documents whose stored hash already matches) and waits while the
/// indexing stage is <see cref="IngestionOptions.QueueCapacity"/> documents behind (backpressure); the indexing stage skips
/// documents whose content hash is unchanged, embeds chunks in batches of <see cref="IngestionOptions.EmbeddingBatchSize"/>,
/// replaces changed documents' chunks in both indexes and commits every <see cref="IngestionOptions.CommitEveryDocuments"/>
/// changed documents. Results are yielded once they are durable (after their commit), failures at once. A bad document
/// fails alone; the batch goes on.
/// </summary>
/// <remarks>
/// Each run opens the store's writer (<see cref="IndexStore.OpenWriterAsync"/>): it holds the store's writer lock for the
/// run, so a second writer, in this process or another, waits (then fails with <see cref="IndexLockedException"/>)
/// instead of overwriting this run's work. The writer checks the embedder and chunking settings against the ones the
/// index was built with (<see cref="IndexSettingsMismatchException"/>, or <see cref="IngestRunOptions.Reindex"/>).
/// </remarks>
public sealed class IngestionPipeline : IDisposable
{
    private readonly IndexStore _store;
    private readonly IChunker _chunker;
    private readonly DocumentLoaderRegistry _loaders;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly IngestionOptions _options;
    private readonly ILogger _logger;
    private readonly string _chunking;
    private readonly string _fingerprint;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly System.Threading.Lock _chunkLock = new();
    private Task<EmbedderIdentity>? _embedderIdentity;

    /// <summary>Creates a pipeline.</summary>
    /// <param name="store">Index store written to.</param>
    /// <param name="chunker">Chunker (see <see cref="ChunkerFactory"/>).</param>
    /// <param name="settingsFingerprint">Identifies the chunking (and tokenizer) settings: recorded in the index, and part of the content hash, so a change re-indexes.</param>
    /// <param name="loaders">Loaders for file inputs.</param>
    /// <param name="embedder">Embedding generator, or null for a keyword-only store.</param>
    /// <param name="options">Options; validated.</param>
    /// <param name="logger">Logger.</param>
    public IngestionPipeline(
        IndexStore store,
        IChunker chunker,
        string settingsFingerprint,
        DocumentLoaderRegistry loaders,
        IEmbeddingGenerator<string, Embedding<float>>? embedder,
        IngestionOptions options,
        ILogger<IngestionPipeline>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(chunker);
        ArgumentException.ThrowIfNullOrEmpty(settingsFingerprint);
        ArgumentNullException.ThrowIfNull(loaders);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _store = store;
        _chunker = chunker;
        _loaders = loaders;
        _embedder = embedder;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _chunking = settingsFingerprint;
        string model = embedder?.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? (embedder is null ? "none" : embedder.GetType().FullName!);
        _fingerprint = $"{settingsFingerprint}|embed:{model}|title:{options.EmbedTitle}|norm:{options.NormalizeEmbeddings}";
    }

    /// <summary>The store written to.</summary>
    public IndexStore Store => _store;

    /// <summary>
    /// Ingests files and folders. Document ids are paths relative to one root (<see cref="DocumentIds"/>,
    /// <see cref="IngestRunOptions.Root"/>); unless <see cref="IngestRunOptions.KeepMissing"/>, the index mirrors the
    /// inputs: documents from a given folder (or records of a given JSON file) that are gone are removed in the run's
    /// last commit and reported as <see cref="IngestStatus.Deleted"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">A path is neither a file nor a folder (thrown on enumeration).</exception>
    /// <exception cref="ArgumentException">A path is outside the index's source root, or the root conflicts with the recorded one.</exception>
    public IAsyncEnumerable<IngestResult> IngestPathsAsync(IEnumerable<string> paths, IngestRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var inputs = paths.ToList();
        var run = options ?? new IngestRunOptions();
        return RunAsync(run, writer => PlanPaths(writer, inputs, run), cancellationToken);
    }

    /// <summary>Ingests documents from a stream (already loaded; their text is indexed as given, under their own ids).</summary>
    public IAsyncEnumerable<IngestResult> IngestAsync(IAsyncEnumerable<RagDocument> documents, IngestRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        return RunAsync(
            options ?? new IngestRunOptions(),
            _ => new RunPlan(
                async (emit, ct) =>
                {
                    await foreach (var document in documents.WithCancellation(ct).ConfigureAwait(false))
                    {
                        await emit(DocumentLoadResult.Success(document), null).ConfigureAwait(false);
                    }
                },
                null),
            cancellationToken);
    }

    /// <summary>Ingests documents from a sequence.</summary>
    public IAsyncEnumerable<IngestResult> IngestAsync(IEnumerable<RagDocument> documents, IngestRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        return RunAsync(
            options ?? new IngestRunOptions(),
            _ => new RunPlan(
                async (emit, ct) =>
                {
                    foreach (var document in documents)
                    {
                        await emit(DocumentLoadResult.Success(document), null).ConfigureAwait(false);
                    }
                },
                null),
            cancellationToken);
    }

    /// <summary>Deletes documents by id from both indexes, in one commit.</summary>
    public async Task<IReadOnlyList<IngestResult>> DeleteAsync(IEnumerable<string> documentIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documentIds);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var writer = await _store.OpenWriterAsync(new IndexWriterOptions { AdoptIndexSettings = true }, cancellationToken).ConfigureAwait(false);
            var results = new List<(string Id, bool Removed)>();
            foreach (string id in documentIds)
            {
                results.Add((id, writer.RemoveDocument(id)));
            }

            long generation = writer.Commit();
            return results
                .Select(r => r.Removed
                    ? new IngestResult(r.Id, IngestStatus.Deleted, Generation: generation)
                    : new IngestResult(r.Id, IngestStatus.Failed, Error: $"Document '{r.Id}' is not in the index; nothing to delete.", Generation: generation))
                .ToList();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Releases the pipeline's lock (the store is owned by the caller).</summary>
    public void Dispose() => _gate.Dispose();

    private static string? SourcePath(string root, string? source) =>
        source is null ? null : Path.IsPathRooted(source) ? Path.GetFullPath(source) : Path.GetFullPath(Path.Combine(root, source));

    private static string ResolveRoot(IndexStoreWriter writer, List<string> inputs, string? explicitRoot)
    {
        string? recorded = writer.SourceRoot;
        bool hasDocuments = writer.Documents.Count > 0;
        if (explicitRoot is not null)
        {
            string root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(explicitRoot));
            if (recorded is not null && hasDocuments && !string.Equals(recorded, root, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"index '{writer.Store.Directory}' has its document ids relative to '{recorded}'; the root '{root}' would give every document a new id. " +
                    $"Rebuild it with --root {root} --reindex, or leave --root out.");
            }

            return root;
        }

        if (recorded is not null && hasDocuments)
        {
            foreach (string input in inputs)
            {
                if (!DocumentIds.IsUnder(recorded, input))
                {
                    throw new ArgumentException(
                        $"'{input}' is outside '{recorded}', the folder that the document ids of index '{writer.Store.Directory}' are relative to. " +
                        "Ingest it into another index, or rebuild this one with a root that contains both (--root DIR --reindex).");
                }
            }

            return recorded;
        }

        return DocumentIds.CommonBase(inputs);
    }

    private RunPlan PlanPaths(IndexStoreWriter writer, List<string> inputs, IngestRunOptions run)
    {
        foreach (string path in inputs)
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new FileNotFoundException($"'{path}' is neither a file nor a folder.", path);
            }
        }

        string root = ResolveRoot(writer, inputs, run.Root);
        writer.SourceRoot = root;
        var sources = _loaders.EnumerateSources(inputs, root).ToList();
        Func<ISet<string>, ISet<string>, IEnumerable<string>>? missing = null;
        if (!run.KeepMissing)
        {
            var folders = inputs.Where(Directory.Exists).Select(Path.GetFullPath).ToList();
            var files = new HashSet<string>(inputs.Where(File.Exists).Select(Path.GetFullPath), StringComparer.Ordinal);
            missing = (seen, failedSources) => writer.Documents
                .Where(d => !seen.Contains(d.Id) && SourcePath(root, d.Source) is { } path && !failedSources.Contains(path) &&
                    (files.Contains(path) || folders.Any(f => DocumentIds.IsUnder(f, path))))
                .Select(d => d.Id)
                .Order(StringComparer.Ordinal)
                .ToList();
        }

        return new RunPlan(
            async (emit, ct) =>
            {
                foreach (var source in sources)
                {
                    await foreach (var loaded in _loaders.LoadAsync(source, ct).ConfigureAwait(false))
                    {
                        await emit(loaded, source).ConfigureAwait(false);
                    }
                }
            },
            missing);
    }

    private async Task<IndexStoreWriter> OpenWriterAsync(bool reindex, CancellationToken cancellationToken)
    {
        EmbedderIdentity? identity = null;
        if (_embedder is not null)
        {
            var task = _embedderIdentity;
            if (task is null || task.IsFaulted || task.IsCanceled)
            {
                task = EmbedderIdentity.OfAsync(_embedder, cancellationToken);
                _embedderIdentity = task;
            }

            identity = await task.ConfigureAwait(false);
        }

        return await _store.OpenWriterAsync(new IndexWriterOptions { Embedder = identity, Chunking = _chunking, Reindex = reindex }, cancellationToken).ConfigureAwait(false);
    }

    private async IAsyncEnumerable<IngestResult> RunAsync(
        IngestRunOptions run,
        Func<IndexStoreWriter, RunPlan> plan,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var failedSources = new HashSet<string>(StringComparer.Ordinal);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        IndexStoreWriter? writer = null;
        Task? producer = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bool completed = false;
        try
        {
            writer = await OpenWriterAsync(run.Reindex, cancellationToken).ConfigureAwait(false);
            var (produce, missing) = plan(writer);
            var channel = Channel.CreateBounded<StagedDocument>(new BoundedChannelOptions(_options.QueueCapacity)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            var w = writer;
            producer = Task.Run(
                async () =>
                {
                    try
                    {
                        // Hashing and chunking run here, on the loading side, so they overlap with embedding and indexing.
                        await produce((loaded, source) => channel.Writer.WriteAsync(Stage(w, loaded, source), stop.Token), stop.Token).ConfigureAwait(false);
                        channel.Writer.Complete();
                    }
                    catch (Exception ex)
                    {
                        channel.Writer.Complete(ex);
                    }
                },
                CancellationToken.None);

            var batch = new Batch();
            var durable = new List<IngestResult>();
            int changedSinceCommit = 0;
            await foreach (var staged in channel.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                if (staged.Error is not null)
                {
                    seen.Add(staged.Id);
                    if (staged.Source is not null && staged.Id == staged.Source.DocumentId)
                    {
                        failedSources.Add(Path.GetFullPath(staged.Source.Path)); // the whole file failed: keep all it had
                    }

                    yield return new IngestResult(staged.Id, IngestStatus.Failed, Error: staged.Error, Generation: writer.Generation);
                    continue;
                }

                var document = staged.Document!;
                if (staged.Source is not null && !seen.Add(document.Id))
                {
                    yield return new IngestResult(document.Id, IngestStatus.Failed, Generation: writer.Generation,
                        Error: $"Document id '{document.Id}' occurs twice in '{staged.Source.Path}'; ids must be unique within a file, so this copy was skipped.");
                    continue;
                }

                seen.Add(document.Id);
                var prepared = Prepare(writer, staged, batch, out var immediate);
                if (immediate is not null)
                {
                    yield return immediate;
                    continue;
                }

                if (batch.Contains(document.Id))
                {
                    // A second version of a document in the same batch: index the first before replacing it.
                    await FlushAsync(writer, batch, durable, stop.Token).ConfigureAwait(false);
                }

                batch.Add(prepared!);
                changedSinceCommit++;
                if (batch.ChunkCount >= _options.EmbeddingBatchSize)
                {
                    await FlushAsync(writer, batch, durable, stop.Token).ConfigureAwait(false);
                }

                // A rebuild commits once, at the end, so readers keep the old index until the new one is complete.
                if (changedSinceCommit >= _options.CommitEveryDocuments && !run.Reindex)
                {
                    await FlushAsync(writer, batch, durable, stop.Token).ConfigureAwait(false);
                    foreach (var result in CommitResults(writer, durable))
                    {
                        yield return result;
                    }

                    changedSinceCommit = 0;
                }
            }

            await FlushAsync(writer, batch, durable, stop.Token).ConfigureAwait(false);
            await producer.ConfigureAwait(false);
            if (missing is not null)
            {
                foreach (string id in missing(seen, failedSources))
                {
                    if (writer.RemoveDocument(id))
                    {
                        durable.Add(new IngestResult(id, IngestStatus.Deleted));
                    }
                }
            }

            foreach (var result in CommitResults(writer, durable))
            {
                yield return result;
            }

            completed = true;
        }
        finally
        {
            if (!completed)
            {
                // Cancelled, failed, or the caller stopped enumerating: drop the uncommitted batch, keep the last commit.
                await stop.CancelAsync().ConfigureAwait(false);
                writer?.Rollback();
                if (producer is not null)
                {
                    try
                    {
                        await producer.ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
                    {
                        // The producer stops on the cancellation above.
                    }
                }
            }

            writer?.Dispose();
            _gate.Release();
        }
    }

    /// <summary>Loading-side work: hash, and chunk unless the stored version already has this hash.</summary>
    private StagedDocument Stage(IndexStoreWriter writer, DocumentLoadResult loaded, DocumentSource? source)
    {
        if (!loaded.Succeeded)
        {
            return new StagedDocument(loaded.SourceId, source, null, null, null, loaded.Error);
        }

        var document = loaded.Document!;
        try
        {
            string hash = ContentHasher.Hash(document, _fingerprint);
            if (writer.GetDocument(document.Id)?.ContentHash == hash || string.IsNullOrWhiteSpace(document.Text))
            {
                return new StagedDocument(document.Id, source, document, hash, null, null);
            }

            return new StagedDocument(document.Id, source, document, hash, Split(document), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "Document {Id} could not be chunked", document.Id);
            return new StagedDocument(document.Id, source, null, null, null, $"Document '{document.Id}' could not be chunked: {ex.Message}");
        }
    }

    /// <summary>Indexing-side decision: unchanged (against the store and the pending batch), failed, or to index.</summary>
    private PreparedDocument? Prepare(IndexStoreWriter writer, StagedDocument staged, Batch batch, out IngestResult? immediate)
    {
        immediate = null;
        var document = staged.Document!;
        var known = batch.Get(document.Id)?.Record ?? writer.GetDocument(document.Id);
        if (known is not null && known.ContentHash == staged.Hash)
        {
            immediate = new IngestResult(document.Id, IngestStatus.Unchanged, known.ChunkCount, Generation: writer.Generation);
            return null;
        }

        if (string.IsNullOrWhiteSpace(document.Text))
        {
            immediate = new IngestResult(document.Id, IngestStatus.Failed, Error: $"Document '{document.Id}' has no text; there is nothing to index.", Generation: writer.Generation);
            return null;
        }

        IReadOnlyList<Chunk> chunks;
        try
        {
            // Chunks are missing only when the stored hash matched at loading time but a pending change of the same
            // document in this run has replaced it since.
            chunks = staged.Chunks ?? Split(document);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            immediate = new IngestResult(document.Id, IngestStatus.Failed, Error: $"Document '{document.Id}' could not be chunked: {ex.Message}", Generation: writer.Generation);
            return null;
        }

        string? source = staged.Source?.DocumentId
            ?? (document.Metadata is not null && document.Metadata.TryGetValue("source", out var s) ? s : null);
        return new PreparedDocument(new DocumentRecord(document.Id, staged.Hash!, chunks.Count, source), chunks);
    }

    // Token counters need not be safe for concurrent use; loading and indexing sides may both chunk.
    private IReadOnlyList<Chunk> Split(RagDocument document)
    {
        lock (_chunkLock)
        {
            return _chunker.Split(document);
        }
    }

    private async Task FlushAsync(IndexStoreWriter writer, Batch batch, List<IngestResult> durable, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var documents = batch.Drain();
        float[] vectors = [];
        int dimension = 0;
        if (_embedder is not null)
        {
            var texts = documents.SelectMany(d => d.Chunks).Select(c => _options.EmbedTitle && !string.IsNullOrEmpty(c.Title) ? c.Title + "\n" + c.Text : c.Text).ToList();
            try
            {
                (vectors, dimension) = await EmbedAsync(texts, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogError(ex, "Embedding failed for a batch of {Documents} documents", documents.Count);
                foreach (var d in documents)
                {
                    durable.Add(new IngestResult(d.Record.Id, IngestStatus.Failed, Error: $"Embedding failed: {ex.Message}"));
                }

                return;
            }
        }

        int offset = 0;
        foreach (var d in documents)
        {
            int length = d.Chunks.Count * dimension;
            try
            {
                writer.PutDocument(d.Record, d.Chunks, vectors.AsSpan(offset, length));
                durable.Add(new IngestResult(d.Record.Id, IngestStatus.Indexed, d.Chunks.Count));
            }
            catch (ArgumentException ex)
            {
                durable.Add(new IngestResult(d.Record.Id, IngestStatus.Failed, Error: ex.Message));
            }

            offset += length;
        }
    }

    private async Task<(float[] Vectors, int Dimension)> EmbedAsync(List<string> texts, CancellationToken cancellationToken)
    {
        float[]? all = null;
        int dimension = 0;
        for (int start = 0; start < texts.Count; start += _options.EmbeddingBatchSize)
        {
            var slice = texts.GetRange(start, Math.Min(_options.EmbeddingBatchSize, texts.Count - start));
            var embeddings = await _embedder!.GenerateAsync(slice, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != slice.Count)
            {
                throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} vectors for {slice.Count} inputs.");
            }

            for (int i = 0; i < embeddings.Count; i++)
            {
                var vector = embeddings[i].Vector.Span;
                if (all is null)
                {
                    dimension = vector.Length;
                    all = new float[texts.Count * dimension];
                }

                if (vector.Length != dimension)
                {
                    throw new InvalidOperationException($"The embedding generator returned vectors of dimension {vector.Length} and {dimension}.");
                }

                var target = all.AsSpan((start + i) * dimension, dimension);
                vector.CopyTo(target);
                if (_options.NormalizeEmbeddings)
                {
                    float norm = TensorPrimitives.Norm(target);
                    if (norm > 0)
                    {
                        TensorPrimitives.Divide(target, norm, target);
                    }
                }
            }
        }

        return (all ?? [], dimension);
    }

    private static List<IngestResult> CommitResults(IndexStoreWriter writer, List<IngestResult> durable)
    {
        long generation = writer.Commit();
        var results = durable.Select(r => r with { Generation = generation }).ToList();
        durable.Clear();
        return results;
    }

    /// <summary>What a run loads (<c>Produce</c> emits each loaded document with its source file) and, for folder sync, which documents it removes.</summary>
    private sealed record RunPlan(
        Func<Func<DocumentLoadResult, DocumentSource?, ValueTask>, CancellationToken, Task> Produce,
        Func<ISet<string>, ISet<string>, IEnumerable<string>>? Missing);

    private sealed record PreparedDocument(DocumentRecord Record, IReadOnlyList<Chunk> Chunks);

    private sealed record StagedDocument(string Id, DocumentSource? Source, RagDocument? Document, string? Hash, IReadOnlyList<Chunk>? Chunks, string? Error);

    private sealed class Batch
    {
        private readonly Dictionary<string, PreparedDocument> _byId = new(StringComparer.Ordinal);
        private readonly List<PreparedDocument> _order = [];

        public int Count => _order.Count;

        public int ChunkCount { get; private set; }

        public bool Contains(string id) => _byId.ContainsKey(id);

        public PreparedDocument? Get(string id) => _byId.GetValueOrDefault(id);

        public void Add(PreparedDocument document)
        {
            _byId[document.Record.Id] = document;
            _order.Add(document);
            ChunkCount += document.Chunks.Count;
        }

        public List<PreparedDocument> Drain()
        {
            var list = _order.ToList();
            _order.Clear();
            _byId.Clear();
            ChunkCount = 0;
            return list;
        }
    }
}
