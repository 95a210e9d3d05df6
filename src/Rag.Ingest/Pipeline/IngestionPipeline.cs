using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Core.Documents;
using Rag.Ingest.Chunking;
using Rag.Ingest.Loaders;
using Rag.Ingest.Pipeline.Internal;
using Rag.Ingest.Storage;

namespace Rag.Ingest.Pipeline;

/// <summary>
/// Load → hash → chunk → dedup → embed → index → commit, in two stages joined by a bounded channel. The loading stage
/// loads, hashes and chunks (skipping the chunking of documents whose stored hash already matches) and waits while the
/// indexing stage is <see cref="IngestionOptions.QueueCapacity"/> documents behind (backpressure); the indexing stage skips
/// documents whose content hash is unchanged, embeds chunks in batches of <see cref="IngestionOptions.EmbeddingBatchSize"/>,
/// replaces changed documents' chunks in both indexes and commits every <see cref="IngestionOptions.CommitEveryDocuments"/>
/// changed documents. Results are yielded once they are durable (after their commit), failures at once. A bad document
/// fails alone; the batch goes on. One ingestion (or delete) runs at a time per pipeline.
/// </summary>
public sealed class IngestionPipeline : IDisposable
{
    private readonly IndexStore _store;
    private readonly IChunker _chunker;
    private readonly DocumentLoaderRegistry _loaders;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly IngestionOptions _options;
    private readonly ILogger _logger;
    private readonly string _fingerprint;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly System.Threading.Lock _chunkLock = new();

    /// <summary>Creates a pipeline.</summary>
    /// <param name="store">Index store written to.</param>
    /// <param name="chunker">Chunker (see <see cref="ChunkerFactory"/>).</param>
    /// <param name="settingsFingerprint">Identifies the chunking (and tokenizer) settings; part of the content hash, so a change re-indexes.</param>
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
        ArgumentNullException.ThrowIfNull(loaders);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _store = store;
        _chunker = chunker;
        _loaders = loaders;
        _embedder = embedder;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        string model = embedder?.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? (embedder is null ? "none" : embedder.GetType().FullName!);
        _fingerprint = $"{settingsFingerprint}|embed:{model}|title:{options.EmbedTitle}|norm:{options.NormalizeEmbeddings}";
    }

    /// <summary>The store written to.</summary>
    public IndexStore Store => _store;

    /// <summary>Ingests files and folders (see <see cref="DocumentLoaderRegistry.EnumerateSources"/>).</summary>
    public IAsyncEnumerable<IngestResult> IngestPathsAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default) =>
        IngestPathsAsync(paths, deleteMissing: false, cancellationToken);

    /// <summary>
    /// Ingests files and folders. With <paramref name="deleteMissing"/>, the folders are synchronized: documents whose
    /// source file lies under one of the given folders but was not seen in this run (file deleted, or a record removed
    /// from a JSON file) are deleted in the same commit as the last batch.
    /// </summary>
    public IAsyncEnumerable<IngestResult> IngestPathsAsync(IEnumerable<string> paths, bool deleteMissing, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var list = paths.ToArray();
        var roots = list.Where(Directory.Exists).Select(p => Path.GetFullPath(p).Replace('\\', '/').TrimEnd('/') + "/").ToArray();
        Func<ISet<string>, IEnumerable<string>>? missing = !deleteMissing || roots.Length == 0
            ? null
            : seen => _store.Documents
                .Where(d => d.Source is not null && !seen.Contains(d.Id) && roots.Any(r => d.Source.StartsWith(r, StringComparison.Ordinal)))
                .Select(d => d.Id)
                .ToList();
        return RunAsync(
            async (emit, ct) =>
            {
                foreach (var source in _loaders.EnumerateSources(list))
                {
                    await foreach (var loaded in _loaders.LoadAsync(source, ct).ConfigureAwait(false))
                    {
                        await emit(loaded).ConfigureAwait(false);
                    }
                }
            },
            cancellationToken,
            missing);
    }

    /// <summary>Ingests documents from a stream (already loaded; their text is indexed as given).</summary>
    public IAsyncEnumerable<IngestResult> IngestAsync(IAsyncEnumerable<RagDocument> documents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        return RunAsync(
            async (emit, ct) =>
            {
                await foreach (var document in documents.WithCancellation(ct).ConfigureAwait(false))
                {
                    await emit(DocumentLoadResult.Success(document)).ConfigureAwait(false);
                }
            },
            cancellationToken);
    }

    /// <summary>Ingests documents from a sequence.</summary>
    public IAsyncEnumerable<IngestResult> IngestAsync(IEnumerable<RagDocument> documents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        return RunAsync(
            async (emit, ct) =>
            {
                foreach (var document in documents)
                {
                    await emit(DocumentLoadResult.Success(document)).ConfigureAwait(false);
                }
            },
            cancellationToken);
    }

    /// <summary>Deletes documents by id from both indexes, in one commit.</summary>
    public async Task<IReadOnlyList<IngestResult>> DeleteAsync(IEnumerable<string> documentIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documentIds);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var results = new List<(string Id, bool Removed)>();
            foreach (string id in documentIds)
            {
                results.Add((id, _store.RemoveDocument(id)));
            }

            long generation = _store.Commit();
            return results
                .Select(r => r.Removed
                    ? new IngestResult(r.Id, IngestStatus.Deleted, Generation: generation)
                    : new IngestResult(r.Id, IngestStatus.Failed, Error: $"Document '{r.Id}' is not in the index; nothing to delete.", Generation: generation))
                .ToList();
        }
        catch
        {
            _store.Rollback();
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Releases the pipeline's lock (the store is owned by the caller).</summary>
    public void Dispose() => _gate.Dispose();

    private async IAsyncEnumerable<IngestResult> RunAsync(
        Func<Func<DocumentLoadResult, ValueTask>, CancellationToken, Task> produce,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        Func<ISet<string>, IEnumerable<string>>? missing = null)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<StagedDocument>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var producer = Task.Run(
            async () =>
            {
                try
                {
                    // Hashing and chunking run here, on the loading side, so they overlap with embedding and indexing.
                    await produce(loaded => channel.Writer.WriteAsync(Stage(loaded), stop.Token), stop.Token).ConfigureAwait(false);
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
        bool completed = false;
        try
        {
            await foreach (var staged in channel.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                seen.Add(staged.Id);
                if (staged.Error is not null)
                {
                    yield return new IngestResult(staged.Id, IngestStatus.Failed, Error: staged.Error, Generation: _store.Generation);
                    continue;
                }

                var document = staged.Document!;
                var prepared = Prepare(staged, batch, out var immediate);
                if (immediate is not null)
                {
                    yield return immediate;
                    continue;
                }

                if (batch.Contains(document.Id))
                {
                    // A second version of a document in the same batch: index the first before replacing it.
                    await FlushAsync(batch, durable, stop.Token).ConfigureAwait(false);
                }

                batch.Add(prepared!);
                changedSinceCommit++;
                if (batch.ChunkCount >= _options.EmbeddingBatchSize)
                {
                    await FlushAsync(batch, durable, stop.Token).ConfigureAwait(false);
                }

                if (changedSinceCommit >= _options.CommitEveryDocuments)
                {
                    await FlushAsync(batch, durable, stop.Token).ConfigureAwait(false);
                    foreach (var result in CommitResults(durable))
                    {
                        yield return result;
                    }

                    changedSinceCommit = 0;
                }
            }

            await FlushAsync(batch, durable, stop.Token).ConfigureAwait(false);
            await producer.ConfigureAwait(false);
            if (missing is not null)
            {
                foreach (string id in missing(seen))
                {
                    if (_store.RemoveDocument(id))
                    {
                        durable.Add(new IngestResult(id, IngestStatus.Deleted));
                    }
                }
            }

            foreach (var result in CommitResults(durable))
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
                _store.Rollback();
                try
                {
                    await producer.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
                {
                    // The producer stops on the cancellation above.
                }
            }

            _gate.Release();
        }
    }

    /// <summary>Loading-side work: hash, and chunk unless the stored version already has this hash.</summary>
    private StagedDocument Stage(DocumentLoadResult loaded)
    {
        if (!loaded.Succeeded)
        {
            return new StagedDocument(loaded.SourceId, null, null, null, loaded.Error);
        }

        var document = loaded.Document!;
        try
        {
            string hash = ContentHasher.Hash(document, _fingerprint);
            if (_store.GetDocument(document.Id)?.ContentHash == hash || string.IsNullOrWhiteSpace(document.Text))
            {
                return new StagedDocument(document.Id, document, hash, null, null);
            }

            return new StagedDocument(document.Id, document, hash, Split(document), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "Document {Id} could not be chunked", document.Id);
            return new StagedDocument(document.Id, null, null, null, $"Document '{document.Id}' could not be chunked: {ex.Message}");
        }
    }

    /// <summary>Indexing-side decision: unchanged (against the store and the pending batch), failed, or to index.</summary>
    private PreparedDocument? Prepare(StagedDocument staged, Batch batch, out IngestResult? immediate)
    {
        immediate = null;
        var document = staged.Document!;
        var known = batch.Get(document.Id)?.Record ?? _store.GetDocument(document.Id);
        if (known is not null && known.ContentHash == staged.Hash)
        {
            immediate = new IngestResult(document.Id, IngestStatus.Unchanged, known.ChunkCount, Generation: _store.Generation);
            return null;
        }

        if (string.IsNullOrWhiteSpace(document.Text))
        {
            immediate = new IngestResult(document.Id, IngestStatus.Failed, Error: $"Document '{document.Id}' has no text; there is nothing to index.", Generation: _store.Generation);
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
            immediate = new IngestResult(document.Id, IngestStatus.Failed, Error: $"Document '{document.Id}' could not be chunked: {ex.Message}", Generation: _store.Generation);
            return null;
        }

        string? source = document.Metadata is not null && document.Metadata.TryGetValue("source", out var s) ? s : null;
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

    private async Task FlushAsync(Batch batch, List<IngestResult> durable, CancellationToken cancellationToken)
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
                _store.PutDocument(d.Record, d.Chunks, vectors.AsSpan(offset, length));
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

    private List<IngestResult> CommitResults(List<IngestResult> durable)
    {
        long generation = _store.Commit();
        var results = durable.Select(r => r with { Generation = generation }).ToList();
        durable.Clear();
        return results;
    }

    private sealed record PreparedDocument(DocumentRecord Record, IReadOnlyList<Chunk> Chunks);

    private sealed record StagedDocument(string Id, RagDocument? Document, string? Hash, IReadOnlyList<Chunk>? Chunks, string? Error);

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
