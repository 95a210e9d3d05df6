namespace Rag.Core.Retrieval;

/// <summary>Scores (query, passage) pairs; higher is more relevant.</summary>
public interface IReranker
{
    /// <summary>Returns one score per passage, in the order given.</summary>
    Task<IReadOnlyList<float>> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default);
}
