using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Core.Documents;
using Rag.Core.Indexing;

namespace Rag.Core.Retrieval;

/// <summary>
/// BM25 top-k and vector top-k run in parallel, fused by RRF or weighted min-max scores, then optionally reranked.
/// Vector hits resolve to chunks through <see cref="IKeywordIndex.GetByVectorId"/> (ids from <see cref="ChunkIds.ToVectorId"/>).
/// </summary>
public sealed class HybridRetriever
{
    private readonly IKeywordIndex _keyword;
    private readonly IVectorIndex? _vectors;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly IReranker? _reranker;
    private readonly RetrievalOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the retriever.</summary>
    /// <param name="keyword">BM25 index; also resolves vector ids to chunks.</param>
    /// <param name="vectors">Vector index; null allows only <see cref="RetrievalMode.Bm25"/>.</param>
    /// <param name="embedder">Query embedder; required with <paramref name="vectors"/>.</param>
    /// <param name="reranker">Optional reranker for the top <see cref="RetrievalOptions.RerankTopN"/> fused hits.</param>
    /// <param name="options">Options; validated.</param>
    /// <param name="logger">Optional logger.</param>
    public HybridRetriever(
        IKeywordIndex keyword,
        IVectorIndex? vectors,
        IEmbeddingGenerator<string, Embedding<float>>? embedder,
        IReranker? reranker = null,
        RetrievalOptions? options = null,
        ILogger<HybridRetriever>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(keyword);
        _options = options ?? new RetrievalOptions();
        _options.Validate();
        if (vectors is not null && embedder is null)
        {
            throw new ArgumentException("A vector index needs a query embedder (IEmbeddingGenerator<string, Embedding<float>>).", nameof(embedder));
        }

        _keyword = keyword;
        _vectors = vectors;
        _embedder = embedder;
        _reranker = reranker;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The options in use.</summary>
    public RetrievalOptions Options => _options;

    /// <summary>Retrieves the top hits for <paramref name="query"/>.</summary>
    /// <param name="query">The question or search text.</param>
    /// <param name="topK">Hits to return; default <see cref="RetrievalOptions.TopK"/>.</param>
    /// <param name="filter">Exact-match metadata filter applied to both stages.</param>
    /// <param name="mode">Stages to run; default <see cref="RetrievalOptions.Mode"/>.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <exception cref="InvalidOperationException">A dense mode was asked for without a vector index.</exception>
    public async Task<IReadOnlyList<RetrievalHit>> RetrieveAsync(
        string query,
        int? topK = null,
        IReadOnlyDictionary<string, string>? filter = null,
        RetrievalMode? mode = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        int k = topK ?? _options.TopK;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var m = mode ?? _options.Mode;
        if (m != RetrievalMode.Bm25 && _vectors is null)
        {
            if (mode is null)
            {
                m = RetrievalMode.Bm25;
            }
            else
            {
                throw new InvalidOperationException($"Retrieval mode {m} needs a vector index and an embedder; none was configured.");
            }
        }

        var sw = Stopwatch.StartNew();
        Task<IReadOnlyList<ScoredChunk>> bm25Task = m == RetrievalMode.Dense
            ? Task.FromResult<IReadOnlyList<ScoredChunk>>([])
            : Task.Run(() => _keyword.Search(query, Math.Max(k, _options.Bm25TopK), filter), cancellationToken);
        Task<IReadOnlyList<ScoredChunk>> vectorTask = m == RetrievalMode.Bm25
            ? Task.FromResult<IReadOnlyList<ScoredChunk>>([])
            : VectorSearchAsync(query, Math.Max(k, _options.VectorTopK), filter, cancellationToken);
        await Task.WhenAll(bm25Task, vectorTask).ConfigureAwait(false);
        var bm25 = await bm25Task.ConfigureAwait(false);
        var dense = await vectorTask.ConfigureAwait(false);

        var hits = Fuse(bm25, dense, m);
        int rerankN = _reranker is null ? 0 : Math.Min(_options.RerankTopN, hits.Count);
        if (rerankN > 0)
        {
            hits = await RerankAsync(query, hits, rerankN, cancellationToken).ConfigureAwait(false);
        }

        if (hits.Count > k)
        {
            hits = hits.GetRange(0, k);
        }

        _logger.LogDebug("Retrieved {Count} hits ({Mode}, bm25 {Bm25}, vector {Vector}, reranked {Reranked}) in {Ms} ms",
            hits.Count, m, bm25.Count, dense.Count, rerankN, sw.ElapsedMilliseconds);
        return hits;
    }

    private async Task<IReadOnlyList<ScoredChunk>> VectorSearchAsync(
        string query, int k, IReadOnlyDictionary<string, string>? filter, CancellationToken cancellationToken)
    {
        var embeddings = await _embedder!.GenerateAsync([query], cancellationToken: cancellationToken).ConfigureAwait(false);
        var vector = embeddings[0].Vector;
        if (vector.Length != _vectors!.Dimension)
        {
            throw new InvalidOperationException(
                $"The embedder returned {vector.Length} dimensions but the vector index holds {_vectors.Dimension}; re-index with the same embedding model.");
        }

        // Vectors carry no metadata, so a filter is applied after resolving; ask for more to keep k after filtering.
        int ask = filter is { Count: > 0 } ? k * 4 : k;
        var raw = _vectors.Search(vector.Span, ask);
        var result = new List<ScoredChunk>(Math.Min(k, raw.Count));
        foreach (var hit in raw)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = _keyword.GetByVectorId(hit.Id);
            if (chunk is null)
            {
                continue; // committed in the vector index but not (yet) in BM25: skip rather than fail the query
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

    private async Task<List<RetrievalHit>> RerankAsync(string query, List<RetrievalHit> hits, int n, CancellationToken cancellationToken)
    {
        var head = hits.GetRange(0, n);
        var scores = await _reranker!.ScoreAsync(query, head.Select(h => h.Chunk.Text).ToList(), cancellationToken).ConfigureAwait(false);
        if (scores.Count != n)
        {
            throw new InvalidOperationException($"The reranker returned {scores.Count} scores for {n} passages.");
        }

        var reranked = head.Select((h, i) => h with { RerankScore = scores[i], Score = scores[i] })
            .OrderByDescending(h => h.RerankScore)
            .ThenBy(h => h.FusedRank)
            .ToList();
        reranked.AddRange(hits.Skip(n));
        return reranked;
    }
}
