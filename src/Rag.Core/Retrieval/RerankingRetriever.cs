using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rag.Core.Retrieval;

/// <summary>
/// Rescores the top <see cref="RetrievalOptions.RerankTopN"/> hits of the inner retriever with an <see cref="IReranker"/>
/// and reorders them by that score (ties keep the fused order); hits below the head keep their order after it.
/// </summary>
public sealed class RerankingRetriever : DelegatingRetriever
{
    private readonly IReranker _reranker;
    private readonly RetrievalOptions _options;
    private readonly ILogger _logger;

    /// <summary>Wraps <paramref name="innerRetriever"/>.</summary>
    /// <param name="innerRetriever">The retriever whose hits are reranked.</param>
    /// <param name="reranker">Scores (query, passage) pairs.</param>
    /// <param name="options">Gives <see cref="RetrievalOptions.RerankTopN"/> and the default <see cref="RetrievalOptions.TopK"/>; validated.</param>
    /// <param name="logger">Optional logger.</param>
    public RerankingRetriever(IRetriever innerRetriever, IReranker reranker, RetrievalOptions? options = null, ILogger<RerankingRetriever>? logger = null)
        : base(innerRetriever)
    {
        ArgumentNullException.ThrowIfNull(reranker);
        _reranker = reranker;
        _options = options ?? new RetrievalOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The reranker returned another number of scores than passages.</exception>
    public override async Task<IReadOnlyList<RetrievalHit>> RetrieveAsync(string query, RetrievalRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        int k = options?.TopK ?? _options.TopK;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var candidates = await base.RetrieveAsync(
            query, (options ?? new RetrievalRequestOptions()) with { TopK = Math.Max(k, _options.RerankTopN) }, cancellationToken).ConfigureAwait(false);
        int n = Math.Min(_options.RerankTopN, candidates.Count);
        if (n == 0)
        {
            return candidates.Take(k).ToList();
        }

        var head = candidates.Take(n).ToList();
        var scores = await _reranker.ScoreAsync(query, head.Select(h => h.Chunk.Text).ToList(), cancellationToken).ConfigureAwait(false);
        if (scores.Count != n)
        {
            throw new InvalidOperationException($"The reranker returned {scores.Count} scores for {n} passages.");
        }

        var reranked = head.Select((h, i) => h with { RerankScore = scores[i], Score = scores[i] })
            .OrderByDescending(h => h.RerankScore)
            .ThenBy(h => h.FusedRank)
            .ToList();
        reranked.AddRange(candidates.Skip(n));
        _logger.LogDebug("Reranked {Count} of {Candidates} candidates", n, candidates.Count);
        return reranked.Count > k ? reranked.GetRange(0, k) : reranked;
    }
}
