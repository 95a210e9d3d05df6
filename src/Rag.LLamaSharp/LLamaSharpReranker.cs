using LLama;
using Rag.Core.Retrieval;

namespace Rag.LLamaSharp;

/// <summary>
/// Rag's <see cref="IReranker"/> over LLamaSharp's <see cref="LLamaReranker"/> (a model with a classifier head and
/// rank pooling). Scores are the model's raw relevance logits, higher is more relevant.
/// </summary>
public sealed class LLamaSharpReranker : IReranker, IDisposable
{
    private readonly LLamaReranker _reranker;

    /// <summary>Wraps <paramref name="reranker"/>; disposing this disposes it.</summary>
    public LLamaSharpReranker(LLamaReranker reranker)
    {
        ArgumentNullException.ThrowIfNull(reranker);
        _reranker = reranker;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<float>> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(passages);
        if (passages.Count == 0)
        {
            return [];
        }

        var scores = await _reranker.GetRelevanceScores(query, passages, false, cancellationToken).ConfigureAwait(false);
        return scores.ToArray();
    }

    /// <inheritdoc />
    public void Dispose() => _reranker.Dispose();
}
