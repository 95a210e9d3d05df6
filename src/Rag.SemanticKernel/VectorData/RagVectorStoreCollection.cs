using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Rag.Core.Documents;
using Rag.Core.Embeddings;
using Rag.Core.Indexing;
using Rag.Core.Retrieval;
using Rag.Core.Storage;

namespace Rag.SemanticKernel.VectorData;

/// <summary>
/// A Microsoft.Extensions.VectorData collection over Rag's <see cref="IndexStore"/>, so Semantic Kernel apps use the
/// standard vector-store calls on the same index that ingestion writes and retrieval reads: upsert, get, delete, vector
/// search (<see cref="SearchAsync{TInput}"/>) and hybrid BM25 + vector search (<see cref="HybridSearchAsync{TInput}"/>,
/// fused by reciprocal rank).
/// </summary>
/// <remarks>
/// Every write opens the store's single writer, applies the batch and commits it, so readers see it at once and ingestion
/// waits for the lock (and the other way round). Reads take the latest committed snapshot. Filters are LINQ predicates
/// over <see cref="RagVectorRecord"/>, evaluated on the candidates (searches then look further down the ranking).
/// The index keeps no way to read a stored vector back: asking for <c>IncludeVectors</c> throws
/// <see cref="NotSupportedException"/>.
/// </remarks>
public sealed class RagVectorStoreCollection : VectorStoreCollection<string, RagVectorRecord>, IKeywordHybridSearchable<RagVectorRecord>
{
    private readonly IndexStore _store;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly RetrievalOptions _retrieval;
    private readonly VectorStoreCollectionMetadata _metadata;
    private Task<EmbedderIdentity>? _identity;

    /// <summary>Creates the collection over an open store.</summary>
    /// <param name="store">The index store (not disposed by the collection).</param>
    /// <param name="embedder">The embedder the index is built with: embeds texts on upsert and text queries.</param>
    /// <param name="retrieval">Candidate depths (<see cref="RetrievalOptions.Bm25TopK"/>, <see cref="RetrievalOptions.VectorTopK"/>) and the RRF constant for hybrid search.</param>
    /// <param name="name">The collection name; defaults to the store folder's name.</param>
    public RagVectorStoreCollection(
        IndexStore store, IEmbeddingGenerator<string, Embedding<float>> embedder, RetrievalOptions? retrieval = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(embedder);
        _store = store;
        _embedder = embedder;
        _retrieval = retrieval ?? new RetrievalOptions();
        _retrieval.Validate();
        Name = name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(store.Directory));
        _metadata = new VectorStoreCollectionMetadata { VectorStoreSystemName = "rag", CollectionName = Name };
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>The collection exists while its store is open.</summary>
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(IndexStore.Exists(_store.Directory));

    /// <summary>Nothing to do: the store was created when it was opened.</summary>
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>Removes every document from the index, in one commit (the store folder stays).</summary>
    public override async Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        using var writer = await _store.OpenWriterAsync(new IndexWriterOptions { AdoptIndexSettings = true }, cancellationToken).ConfigureAwait(false);
        foreach (var document in writer.Documents)
        {
            writer.RemoveDocument(document.Id);
        }

        writer.Commit();
    }

    /// <summary>Reads document <paramref name="key"/>: its passages joined in order (a record upserted here has one); null when absent.</summary>
    public override Task<RagVectorRecord?> GetAsync(string key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ThrowIfVectorsRequested(options?.IncludeVectors ?? false);
        using var snapshot = _store.AcquireSnapshot();
        return Task.FromResult(ReadDocument(snapshot, key));
    }

    /// <summary>Reads the documents of <paramref name="keys"/> that exist, in the order asked.</summary>
    public override async IAsyncEnumerable<RagVectorRecord> GetAsync(
        IEnumerable<string> keys, RecordRetrievalOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ThrowIfVectorsRequested(options?.IncludeVectors ?? false);
        await Task.CompletedTask.ConfigureAwait(false);
        using var snapshot = _store.AcquireSnapshot();
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ReadDocument(snapshot, key) is { } record)
            {
                yield return record;
            }
        }
    }

    /// <summary>Reads up to <paramref name="top"/> documents matching <paramref name="filter"/> (ordered by key unless ordered otherwise).</summary>
    public override async IAsyncEnumerable<RagVectorRecord> GetAsync(
        Expression<Func<RagVectorRecord, bool>> filter,
        int top,
        FilteredRecordRetrievalOptions<RagVectorRecord>? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        ThrowIfVectorsRequested(options?.IncludeVectors ?? false);
        var predicate = filter.Compile();
        await Task.CompletedTask.ConfigureAwait(false);
        using var snapshot = _store.AcquireSnapshot();
        IEnumerable<RagVectorRecord> records = snapshot.Documents
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .Select(d => ReadDocument(snapshot, d.Id)!)
            .Where(predicate);
        if (options?.OrderBy is { } orderBy)
        {
            var sorts = orderBy(new FilteredRecordRetrievalOptions<RagVectorRecord>.OrderByDefinition()).Values;
            IOrderedEnumerable<RagVectorRecord>? ordered = null;
            foreach (var sort in sorts)
            {
                var key = sort.PropertySelector.Compile();
                ordered = ordered is null
                    ? (sort.Ascending ? records.OrderBy(key) : records.OrderByDescending(key))
                    : (sort.Ascending ? ordered.ThenBy(key) : ordered.ThenByDescending(key));
            }

            records = ordered ?? records;
        }

        foreach (var record in records.Skip(options?.Skip ?? 0).Take(top))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
    }

    /// <summary>Removes document <paramref name="key"/> (nothing happens when it is absent).</summary>
    public override Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return DeleteAsync([key], cancellationToken);
    }

    /// <summary>Removes the documents of <paramref name="keys"/>, in one commit.</summary>
    public override async Task DeleteAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        using var writer = await _store.OpenWriterAsync(new IndexWriterOptions { AdoptIndexSettings = true }, cancellationToken).ConfigureAwait(false);
        bool removed = false;
        foreach (var key in keys)
        {
            removed |= writer.RemoveDocument(key);
        }

        if (removed)
        {
            writer.Commit();
        }
    }

    /// <summary>Adds or replaces the document <see cref="RagVectorRecord.Key"/> with one passage.</summary>
    public override Task UpsertAsync(RagVectorRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return UpsertAsync([record], cancellationToken);
    }

    /// <summary>Adds or replaces documents, one passage each, in one commit; missing embeddings are generated in one batch.</summary>
    public override async Task UpsertAsync(IEnumerable<RagVectorRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var batch = records.ToList();
        if (batch.Count == 0)
        {
            return;
        }

        foreach (var r in batch)
        {
            ArgumentNullException.ThrowIfNull(r, nameof(records));
            if (string.IsNullOrEmpty(r.Key))
            {
                throw new ArgumentException("Every record needs a Key (the document id).", nameof(records));
            }

            ArgumentNullException.ThrowIfNull(r.Text, nameof(records));
        }

        var identity = await IdentityAsync(cancellationToken).ConfigureAwait(false);
        var missing = batch.Where(r => r.Embedding is null).ToList();
        var generated = missing.Count == 0
            ? []
            : await _embedder.GenerateAsync(missing.Select(r => r.Text), cancellationToken: cancellationToken).ConfigureAwait(false);
        var vectors = new Dictionary<RagVectorRecord, ReadOnlyMemory<float>>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < missing.Count; i++)
        {
            vectors[missing[i]] = generated[i].Vector;
        }

        using var writer = await _store.OpenWriterAsync(new IndexWriterOptions { Embedder = identity }, cancellationToken).ConfigureAwait(false);
        foreach (var r in batch)
        {
            var vector = r.Embedding ?? vectors[r];
            if (vector.Length != identity.Dimension)
            {
                throw new ArgumentException(
                    $"Record '{r.Key}': its embedding has {vector.Length} dimensions, the index {identity.Dimension} ({identity}).", nameof(records));
            }

            var chunk = new Chunk(Chunk.MakeId(r.Key, 0), r.Key, 0, r.Text, 0, r.Text.Length)
            {
                Title = r.Title,
                HeadingPath = string.IsNullOrWhiteSpace(r.Section) ? [] : r.Section.Split(" > ", StringSplitOptions.TrimEntries),
            };
            var record = new DocumentRecord(r.Key, ContentHash(r), 1, r.Source);
            writer.PutDocument(record, [chunk], vector.Span);
        }

        writer.Commit();
    }

    /// <summary>
    /// Vector search: <paramref name="searchValue"/> is a text (embedded with the collection's generator), an
    /// <see cref="Embedding{T}"/> of floats, a <see cref="ReadOnlyMemory{T}"/> of floats or a float array. Scores are
    /// inner products (cosine similarity for normalized vectors), best first.
    /// </summary>
    public override async IAsyncEnumerable<VectorSearchResult<RagVectorRecord>> SearchAsync<TInput>(
        TInput searchValue,
        int top,
        VectorSearchOptions<RagVectorRecord>? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new VectorSearchOptions<RagVectorRecord>();
        using var search = await BeginSearchAsync(searchValue, top, options.Skip, options.IncludeVectors, options.Filter, cancellationToken).ConfigureAwait(false);
        var hits = search.Vectors.Search(search.Query.Span, search.Depth(search.Wanted))
            .Select(h => (Chunk: search.Snapshot.Keyword.GetByVectorId(h.Id), Score: (double)h.Score))
            .Where(h => h.Chunk is not null)
            .Select(h => (h.Chunk!, h.Score));
        foreach (var result in search.Page(hits, top, options.Skip, options.ScoreThreshold, cancellationToken))
        {
            yield return result;
        }
    }

    /// <summary>
    /// Hybrid search: BM25 over <paramref name="keywords"/> and vector search for <paramref name="searchValue"/> (as in
    /// <see cref="SearchAsync{TInput}"/>), fused by reciprocal rank (<see cref="RetrievalOptions.RrfK"/>). Scores are the fused RRF
    /// scores, best first.
    /// </summary>
    public async IAsyncEnumerable<VectorSearchResult<RagVectorRecord>> HybridSearchAsync<TInput>(
        TInput searchValue,
        ICollection<string> keywords,
        int top,
        HybridSearchOptions<RagVectorRecord>? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TInput : notnull
    {
        ArgumentNullException.ThrowIfNull(keywords);
        options ??= new HybridSearchOptions<RagVectorRecord>();
        using var search = await BeginSearchAsync(searchValue, top, options.Skip, options.IncludeVectors, options.Filter, cancellationToken).ConfigureAwait(false);
        var chunks = new Dictionary<string, Chunk>(StringComparer.Ordinal);
        var bm25 = new List<string>();
        var keywordQuery = string.Join(' ', keywords.Where(k => !string.IsNullOrWhiteSpace(k)));
        if (keywordQuery.Length > 0)
        {
            int depth = search.Predicate is null ? Math.Max(search.Wanted, _retrieval.Bm25TopK) : Math.Max(search.Snapshot.Keyword.Count, 1);
            foreach (var hit in search.Snapshot.Keyword.Search(keywordQuery, depth))
            {
                chunks.TryAdd(hit.Chunk.Id, hit.Chunk);
                bm25.Add(hit.Chunk.Id);
            }
        }

        var dense = new List<string>();
        foreach (var hit in search.Vectors.Search(search.Query.Span, search.Depth(Math.Max(search.Wanted, _retrieval.VectorTopK))))
        {
            if (search.Snapshot.Keyword.GetByVectorId(hit.Id) is { } chunk)
            {
                chunks.TryAdd(chunk.Id, chunk);
                dense.Add(chunk.Id);
            }
        }

        var fused = ScoreFusion.Rrf([bm25, dense], _retrieval.RrfK).Select(f => (chunks[f.Key], f.Score));
        foreach (var result in search.Page(fused, top, options.Skip, options.ScoreThreshold, cancellationToken))
        {
            yield return result;
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreCollectionMetadata) ? _metadata
            : serviceType == typeof(IndexStore) ? _store
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    private async Task<Search> BeginSearchAsync<TInput>(
        TInput searchValue, int top, int skip, bool includeVectors, Expression<Func<RagVectorRecord, bool>>? filter, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ThrowIfVectorsRequested(includeVectors);
        var query = await VectorOfAsync(searchValue, cancellationToken).ConfigureAwait(false);
        var snapshot = _store.AcquireSnapshot();
        try
        {
            return new Search(snapshot, VectorsOf(snapshot, query), query, filter?.Compile(), skip + top);
        }
        catch
        {
            snapshot.Dispose();
            throw;
        }
    }

    /// <summary>One search over one snapshot: the query vector, the compiled filter, and the paging of ranked candidates.</summary>
    private sealed record Search(IndexSnapshot Snapshot, IVectorSearcher Vectors, ReadOnlyMemory<float> Query, Func<RagVectorRecord, bool>? Predicate, int Wanted)
        : IDisposable
    {
        /// <summary>How many vectors to ask for: <paramref name="wanted"/>, or all of them when a filter may drop some.</summary>
        public int Depth(int wanted) => (int)Math.Max(1, Math.Min(Predicate is null ? wanted : Vectors.Count, Math.Max(Vectors.Count, 1)));

        /// <summary>Applies threshold, filter, skip and top to candidates ranked best first.</summary>
        public IEnumerable<VectorSearchResult<RagVectorRecord>> Page(
            IEnumerable<(Chunk Chunk, double Score)> ranked, int top, int skip, double? threshold, CancellationToken cancellationToken)
        {
            int skipped = 0, returned = 0;
            foreach (var (chunk, score) in ranked)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (threshold is { } t && score < t)
                {
                    yield break;
                }

                var record = ToRecord(Snapshot, chunk);
                if (Predicate is not null && !Predicate(record))
                {
                    continue;
                }

                if (skipped++ < skip)
                {
                    continue;
                }

                yield return new VectorSearchResult<RagVectorRecord>(record, score);
                if (++returned == top)
                {
                    yield break;
                }
            }
        }

        public void Dispose() => Snapshot.Dispose();
    }

    private static RagVectorRecord? ReadDocument(IndexSnapshot snapshot, string key)
    {
        if (snapshot.GetDocument(key) is not { } document)
        {
            return null;
        }

        var chunks = document.ChunkIds().Select(snapshot.Keyword.Get).OfType<Chunk>().OrderBy(c => c.Ordinal).ToList();
        if (chunks.Count == 0)
        {
            return null;
        }

        var record = ToRecord(document, chunks[0]);
        if (chunks.Count > 1)
        {
            record.Text = string.Join("\n\n", chunks.Select(c => c.Text));
            record.ChunkId = null;
        }

        return record;
    }

    private static RagVectorRecord ToRecord(IndexSnapshot snapshot, Chunk chunk) => ToRecord(snapshot.GetDocument(chunk.DocumentId), chunk);

    private static RagVectorRecord ToRecord(DocumentRecord? document, Chunk chunk) => new()
    {
        Key = chunk.DocumentId,
        ChunkId = chunk.Id,
        Text = chunk.Text,
        Title = chunk.Title,
        Section = chunk.HeadingPath.Count == 0 ? null : string.Join(" > ", chunk.HeadingPath),
        Source = document?.Source,
    };

    private static IVectorSearcher VectorsOf(IndexSnapshot snapshot, ReadOnlyMemory<float> query)
    {
        var vectors = snapshot.Vectors ?? throw new InvalidOperationException(
            $"The index at '{snapshot.Manifest}' holds no vectors (it was built keyword-only); vector and hybrid search need an index built with an embedder.");
        if (vectors.Dimension != query.Length)
        {
            throw new ArgumentException($"The query vector has {query.Length} dimensions, the index {vectors.Dimension}.");
        }

        return vectors;
    }

    private async Task<ReadOnlyMemory<float>> VectorOfAsync<TInput>(TInput searchValue, CancellationToken cancellationToken)
    {
        switch (searchValue)
        {
            case string text:
                ArgumentException.ThrowIfNullOrWhiteSpace(text, nameof(searchValue));
                var identity = await IdentityAsync(cancellationToken).ConfigureAwait(false);
                using (var snapshot = _store.AcquireSnapshot())
                {
                    _store.CheckQueryEmbedder(snapshot.Manifest, identity);
                }

                var embeddings = await _embedder.GenerateAsync([text], cancellationToken: cancellationToken).ConfigureAwait(false);
                return embeddings[0].Vector;
            case Embedding<float> embedding:
                return embedding.Vector;
            case ReadOnlyMemory<float> memory:
                return memory;
            case float[] array:
                return array;
            case null:
                throw new ArgumentNullException(nameof(searchValue));
            default:
                throw new NotSupportedException(
                    $"Search values of type {typeof(TInput).Name} are not supported: pass a string, Embedding<float>, ReadOnlyMemory<float> or float[].");
        }
    }

    private Task<EmbedderIdentity> IdentityAsync(CancellationToken cancellationToken)
    {
        var task = _identity;
        if (task is null || task.IsFaulted || task.IsCanceled)
        {
            task = EmbedderIdentity.OfAsync(_embedder, cancellationToken);
            _identity = task;
        }

        return task;
    }

    private static string ContentHash(RagVectorRecord r)
    {
        var text = string.Join('\u001f', r.Text, r.Title ?? "", r.Section ?? "", r.Source ?? "");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static void ThrowIfVectorsRequested(bool includeVectors)
    {
        if (includeVectors)
        {
            throw new NotSupportedException("The Rag index does not return stored vectors: leave IncludeVectors off.");
        }
    }
}
