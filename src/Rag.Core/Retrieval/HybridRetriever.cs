using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Core.Documents;
using Rag.Core.Embeddings;
using Rag.Core.Indexing;
using Rag.Core.Storage;

namespace Rag.Core.Retrieval;

/// <summary>
/// BM25 top-k and vector top-k run in parallel over one committed snapshot of the index, fused by RRF or weighted
/// min-max scores. Vector hits resolve to chunks through <see cref="IKeywordSearcher.GetByVectorId"/> (ids from
/// <see cref="ChunkIds.ToVectorId"/>). Reranking is a decorator (<see cref="RerankingRetriever"/>).
/// </summary>
/// <remarks>
/// Over an <see cref="IndexStore"/>, each call takes the latest committed snapshot and releases it when done, so commits
/// and rollbacks never disturb a query in flight, and a store that gains vectors later is searched with them. Before
/// using the vectors of a snapshot it checks that the query embedder is the one the index was built with
/// (<see cref="IndexSettingsMismatchException"/> otherwise).
/// </remarks>
public sealed class HybridRetriever : IRetriever
{
    private readonly IndexStore? _store;
    private readonly IKeywordSearcher? _keyword;
    private readonly IVectorSearcher? _vectors;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly RetrievalOptions _options;
    private readonly ILogger _logger;
    private Task<EmbedderIdentity>? _embedderIdentity;

    /// <summary>Creates a retriever over the latest committed generation of <paramref name="store"/>.</summary>
    /// <param name="store">The index store.</param>
    /// <param name="embedder">Query embedder; null searches BM25 only (a dense mode then fails).</param>
    /// <param name="options">Options; validated.</param>
    /// <param name="logger">Optional logger.</param>
    public HybridRetriever(
        IndexStore store,
        IEmbeddingGenerator<string, Embedding<float>>? embedder,
        RetrievalOptions? options = null,
        ILogger<HybridRetriever>? logger = null)
        : this(embedder, options, logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>Creates a retriever over fixed indexes (evaluation runs, tests).</summary>
    /// <param name="keyword">BM25 index; also resolves vector ids to chunks.</param>
    /// <param name="vectors">Vector index; null allows only <see cref="RetrievalMode.Bm25"/>.</param>
    /// <param name="embedder">Query embedder; required with <paramref name="vectors"/>.</param>
    /// <param name="options">Options; validated.</param>
    /// <param name="logger">Optional logger.</param>
    public HybridRetriever(
        IKeywordSearcher keyword,
        IVectorSearcher? vectors,
        IEmbeddingGenerator<string, Embedding<float>>? embedder,
        RetrievalOptions? options = null,
        ILogger<HybridRetriever>? logger = null)
        : this(embedder, options, logger)
    {
        ArgumentNullException.ThrowIfNull(keyword);
        if (vectors is not null && embedder is null)
        {
            throw new ArgumentException("A vector index needs a query embedder (IEmbeddingGenerator<string, Embedding<float>>).", nameof(embedder));
        }

        _keyword = keyword;
        _vectors = vectors;
    }

    private HybridRetriever(IEmbeddingGenerator<string, Embedding<float>>? embedder, RetrievalOptions? options, ILogger<HybridRetriever>? logger)
    {
        _options = options ?? new RetrievalOptions();
        _options.Validate();
        _embedder = embedder;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The options in use.</summary>
    public RetrievalOptions Options => _options;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">A dense mode was asked for without vectors or without an embedder.</exception>
    /// <exception cref="IndexSettingsMismatchException">The query embedder is not the one the index was built with.</exception>
    public async Task<IReadOnlyList<RetrievalHit>> RetrieveAsync(string query, RetrievalRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        int k = options?.TopK ?? _options.TopK;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (_store is null)
        {
            return await SearchAsync(_keyword!, _vectors, manifest: null, query, k, options, cancellationToken).ConfigureAwait(false);
        }

        using var snapshot = _store.AcquireSnapshot();
        return await SearchAsync(snapshot.Keyword, snapshot.Vectors, snapshot.Manifest, query, k, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        return serviceType == typeof(IndexStore) ? _store : null;
    }

    private async Task<IReadOnlyList<RetrievalHit>> SearchAsync(
        IKeywordSearcher keyword,
        IVectorSearcher? vectors,
        IndexManifest? manifest,
        string query,
        int k,
        RetrievalRequestOptions? request,
        CancellationToken cancellationToken)
    {
        var filter = request?.Filter;
        var m = request?.Mode ?? _options.Mode;
        if (m != RetrievalMode.Bm25 && (vectors is null || _embedder is null))
        {
            if (request?.Mode is not null)
            {
                throw new InvalidOperationException(vectors is null
                    ? $"Retrieval mode {m} needs vectors, but the index holds none (it was built keyword-only)."
                    : $"Retrieval mode {m} needs a query embedder; none was configured.");
            }

            m = RetrievalMode.Bm25; // a keyword-only index, or a retriever configured without an embedder
        }

        if (m != RetrievalMode.Bm25 && manifest is not null && _store is not null)
        {
            _store.CheckQueryEmbedder(manifest, await EmbedderIdentityAsync(cancellationToken).ConfigureAwait(false));
        }

        var sw = Stopwatch.StartNew();
        Task<IReadOnlyList<ScoredChunk>> bm25Task = m == RetrievalMode.Dense
            ? Task.FromResult<IReadOnlyList<ScoredChunk>>([])
            : Task.Run(() => keyword.Search(query, Math.Max(k, _options.Bm25TopK), filter), cancellationToken);
        Task<IReadOnlyList<ScoredChunk>> vectorTask = m == RetrievalMode.Bm25
            ? Task.FromResult<IReadOnlyList<ScoredChunk>>([])
            : VectorSearchAsync(keyword, vectors!, query, Math.Max(k, _options.VectorTopK), filter, cancellationToken);
        await Task.WhenAll(bm25Task, vectorTask).ConfigureAwait(false);
        var bm25 = await bm25Task.ConfigureAwait(false);
        var dense = await vectorTask.ConfigureAwait(false);

        var hits = Fuse(bm25, dense, m);
        if (hits.Count > k)
        {
            hits = hits.GetRange(0, k);
        }

        _logger.LogDebug("Retrieved {Count} hits ({Mode}, bm25 {Bm25}, vector {Vector}) in {Ms} ms",
            hits.Count, m, bm25.Count, dense.Count, sw.ElapsedMilliseconds);
        return hits;
    }

    private Task<EmbedderIdentity> EmbedderIdentityAsync(CancellationToken cancellationToken)
    {
        var task = _embedderIdentity;
        if (task is null || task.IsFaulted || task.IsCanceled)
        {
            task = EmbedderIdentity.OfAsync(_embedder!, cancellationToken);
            _embedderIdentity = task;
        }

        return task;
    }

    private async Task<IReadOnlyList<ScoredChunk>> VectorSearchAsync(
        IKeywordSearcher keyword, IVectorSearcher vectors, string query, int k, IReadOnlyDictionary<string, string>? filter, CancellationToken cancellationToken)
    {
        // Marked as a query: asymmetric models (arctic-embed, E5, BGE) embed queries with their query prefix.
        var embeddings = await _embedder!.GenerateAsync([query], EmbeddingInput.ForQueries(), cancellationToken).ConfigureAwait(false);
        var vector = embeddings[0].Vector;
        if (vector.Length != vectors.Dimension)
        {
            throw new InvalidOperationException(
                $"The embedder returned {vector.Length} dimensions but the vector index holds {vectors.Dimension}; re-index with the same embedding model.");
        }

        // Vectors carry no metadata, so a filter is applied after resolving; ask for more to keep k after filtering.
        int ask = filter is { Count: > 0 } ? k * 4 : k;
        var raw = vectors.Search(vector.Span, ask);
        var result = new List<ScoredChunk>(Math.Min(k, raw.Count));
        foreach (var hit in raw)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = keyword.GetByVectorId(hit.Id);
            if (chunk is null)
            {
                continue; // a vector without its chunk: only possible over fixed indexes a caller keeps out of step
            }

            if (filter is { Count: > 0 } && !filter.All(f => chunk.Metadata.TryGetValue(f.Key, out var v) && v == f.Value))
            {
                continue;
            }

            result.Add(new ScoredChunk(chunk, hit.Score));
            if (result.Count == k)
            {
                break;
            }
        }

        return result;
    }

    private List<RetrievalHit> Fuse(IReadOnlyList<ScoredChunk> bm25, IReadOnlyList<ScoredChunk> dense, RetrievalMode mode)
    {
        var chunks = new Dictionary<string, Chunk>(StringComparer.Ordinal);
        var bm25Rank = new Dictionary<string, (int Rank, float Score)>(StringComparer.Ordinal);
        var denseRank = new Dictionary<string, (int Rank, float Score)>(StringComparer.Ordinal);
        for (int i = 0; i < bm25.Count; i++)
        {
            chunks[bm25[i].Chunk.Id] = bm25[i].Chunk;
            bm25Rank.TryAdd(bm25[i].Chunk.Id, (i + 1, bm25[i].Score));
        }

        for (int i = 0; i < dense.Count; i++)
        {
            chunks.TryAdd(dense[i].Chunk.Id, dense[i].Chunk);
            denseRank.TryAdd(dense[i].Chunk.Id, (i + 1, dense[i].Score));
        }

        IReadOnlyList<(string Key, double Score)> fused = mode switch
        {
            RetrievalMode.Bm25 => bm25.Select(h => (h.Chunk.Id, (double)h.Score)).ToList(),
            RetrievalMode.Dense => dense.Select(h => (h.Chunk.Id, (double)h.Score)).ToList(),
            _ when _options.Fusion == FusionMethod.Rrf => ScoreFusion.Rrf(
                [bm25.Select(h => h.Chunk.Id).ToList(), dense.Select(h => h.Chunk.Id).ToList()], _options.RrfK),
            _ => ScoreFusion.WeightedMinMax(
            [
                (bm25.Select(h => (h.Chunk.Id, (double)h.Score)).ToList(), _options.Bm25Weight),
                (dense.Select(h => (h.Chunk.Id, (double)h.Score)).ToList(), _options.VectorWeight),
            ]),
        };

        var hits = new List<RetrievalHit>(fused.Count);
        for (int i = 0; i < fused.Count; i++)
        {
            var (id, score) = fused[i];
            bool inBm25 = bm25Rank.TryGetValue(id, out var b);
            bool inDense = denseRank.TryGetValue(id, out var d);
            hits.Add(new RetrievalHit(chunks[id], score)
            {
                Bm25Rank = inBm25 ? b.Rank : null,
                Bm25Score = inBm25 ? b.Score : null,
                VectorRank = inDense ? d.Rank : null,
                VectorScore = inDense ? d.Score : null,
                FusedScore = score,
                FusedRank = i + 1,
            });
        }

        return hits;
    }
}
