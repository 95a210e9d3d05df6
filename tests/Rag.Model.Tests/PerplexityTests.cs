using Rag.Model.Evaluation;

namespace Rag.Model.Tests;

public class PerplexityTests
{
    /// <summary>
    /// Golden value from llama.cpp's own tool (built from the pinned release's source bundle):
    ///   llama-perplexity -m stories260K-llama-f32.gguf -f TestData/tiny-story.txt -c 128 -t 1
    ///   → "[1]3.2299,[2]3.3407,…,[10]3.8226" and "Final estimate: PPL = 3.8226 +/- 0.26521"
    /// </summary>
    [Fact]
    public void Matches_llama_perplexity_within_half_a_percent()
    {
        using var model = LlamaModel.Load(TestModels.Stories260K);
        var text = File.ReadAllText(TestModels.TestData("tiny-story.txt"));
        var r = LlamaPerplexity.Compute(model, text, new PerplexityOptions { ContextSize = 128, Threads = 1 });
        Assert.Equal(10, r.Chunks);
        Assert.Equal(10 * (128 - 64 - 1), r.TokensScored);
        Assert.InRange(r.Perplexity / 3.8226, 0.995, 1.005);
        Assert.InRange(r.RunningPerplexity[0] / 3.2299, 0.995, 1.005);
        Assert.InRange(r.StandardError / 0.26521, 0.98, 1.02);
    }

    [Fact]
    public void Too_short_text_is_rejected_with_the_token_count()
    {
        using var model = LlamaModel.Load(TestModels.Stories260K);
        var ex = Assert.Throws<ArgumentException>(() => LlamaPerplexity.Compute(model, "Once upon a time.", new PerplexityOptions { ContextSize = 128 }));
        Assert.Contains("256", ex.Message);
    }
}

public class PerplexityEvaluatorTests
{
    // The evaluation contract (Rag.Core's IPerplexityEvaluator) reports exactly what LlamaPerplexity computes, with progress.
    [Fact]
    public async Task Evaluator_reports_llama_perplexity_through_the_core_contract()
    {
        using var model = LlamaModel.Load(TestModels.Stories260K);
        var text = File.ReadAllText(TestModels.TestData("tiny-story.txt"));
        var options = new PerplexityOptions { ContextSize = 128, Threads = 1, MaxChunks = 3 };
        var direct = LlamaPerplexity.Compute(model, text, options);
        var seen = new List<int>();
        Rag.Core.Evaluation.Perplexity.IPerplexityEvaluator evaluator = new LlamaPerplexityEvaluator(model, options);
        var score = await evaluator.EvaluateAsync(text, new SyncProgress(p => seen.Add(p.Done)));
        Assert.Equal(direct.Perplexity, score.Perplexity, 9);
        Assert.Equal(direct.TokensScored, score.TokensScored);
        Assert.Equal(3, score.Chunks);
        Assert.Equal("stories260K-llama-f32.gguf", score.Model);
        Assert.Equal([1, 2, 3], seen);
        await Assert.ThrowsAsync<ArgumentException>(() => evaluator.EvaluateAsync("Too short."));
    }

    private sealed class SyncProgress(Action<Rag.Core.Evaluation.Reports.EvaluationProgress> report) : IProgress<Rag.Core.Evaluation.Reports.EvaluationProgress>
    {
        public void Report(Rag.Core.Evaluation.Reports.EvaluationProgress value) => report(value);
    }
}
