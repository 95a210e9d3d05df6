namespace Rag.Core.Evaluation.Perplexity;

/// <summary>The perplexity of a text under a language model.</summary>
/// <param name="Perplexity">exp(mean negative log-likelihood per scored token).</param>
/// <param name="StandardError">Standard error of the estimate.</param>
/// <param name="TokensScored">Tokens whose likelihood was counted.</param>
/// <param name="Chunks">Context windows scored.</param>
/// <param name="Model">The model that scored it.</param>
public sealed record PerplexityScore(double Perplexity, double StandardError, int TokensScored, int Chunks, string Model);

/// <summary>
/// Perplexity through a language model. Rag.Core defines the contract; Rag.Model implements it with llama.cpp
/// (<c>LlamaPerplexityEvaluator</c>, registered by its DI extension), so evaluation code needs no reference to Rag.Model.
/// </summary>
public interface IPerplexityEvaluator
{
    /// <summary>Scores <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">The text is too short for one scoring window.</exception>
    Task<PerplexityScore> EvaluateAsync(string text, IProgress<Reports.EvaluationProgress>? progress = null, CancellationToken cancellationToken = default);
}
