using Rag.Core.Evaluation.Perplexity;
using Rag.Core.Evaluation.Reports;

namespace Rag.Model.Evaluation;

/// <summary>
/// <see cref="IPerplexityEvaluator"/> over a loaded llama.cpp model, with llama-perplexity's convention
/// (<see cref="LlamaPerplexity"/>): chunks of <see cref="PerplexityOptions.ContextSize"/> tokens, second half scored.
/// </summary>
public sealed class LlamaPerplexityEvaluator : IPerplexityEvaluator
{
    private readonly LlamaModel _model;
    private readonly PerplexityOptions _options;

    /// <summary>Creates the evaluator; the model stays owned by the caller.</summary>
    public LlamaPerplexityEvaluator(LlamaModel model, PerplexityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _options = options ?? new PerplexityOptions();
        _options.Validate();
    }

    /// <inheritdoc />
    public Task<PerplexityScore> EvaluateAsync(string text, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var chunks = progress is null ? null : new ChunkProgress(progress);
        // Decoding is CPU-bound and synchronous; run it off the caller's thread.
        return Task.Run(
            () =>
            {
                var r = LlamaPerplexity.Compute(_model, text, _options, chunks, cancellationToken);
                return new PerplexityScore(r.Perplexity, r.StandardError, r.TokensScored, r.Chunks, Path.GetFileName(_model.Path));
            },
            cancellationToken);
    }

    // Reports synchronously on the decoding thread (Progress<T> would post, and could report after the result).
    private sealed class ChunkProgress(IProgress<EvaluationProgress> inner) : IProgress<(int Chunk, int Total, double Perplexity)>
    {
        public void Report((int Chunk, int Total, double Perplexity) value) => inner.Report(new EvaluationProgress("perplexity", value.Chunk, value.Total));
    }
}
