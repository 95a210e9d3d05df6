using Rag.Model.Inference;
using Rag.Model.Lora;
using Rag.Model.Sampling;
using Rag.Model.Serving;

namespace Rag.Training.Tests;

/// <summary>Acceptance 3: two trained adapters loaded together in one serving process answer different requests at the same time.</summary>
public class ServingTests
{
    [Fact]
    public async Task Two_trained_adapters_serve_concurrent_requests_each_with_its_own_pattern()
    {
        using var model = LlamaCpp.Load(TestModels.Stories260K);
        using var dir = new TempDir();
        string Train(string name, string completion)
        {
            // 30 examples (every third of the 100), default options: the pattern is learned in 8 short epochs
            var data = PatternData.Examples(completion).Where((_, i) => i % 3 == 0).Select(e => TrainingDataset.Tokenize(model, e.Prompt, e.Completion)).ToList();
            var trainer = LoraTrainer.Create(TestModels.Stories260K);
            trainer.Train(data);
            var path = Path.Combine(dir.Path, name + ".gguf");
            trainer.ExportAdapter(name).Write(path);
            return path;
        }

        using var frog = LlamaLoraAdapter.Load(model, Train("frog", PatternData.Completion));
        using var moon = LlamaLoraAdapter.Load(model, Train("moon", " green moon made of cheese."));
        var sets = new[] { LoraAdapterSet.Empty, LoraAdapterSet.Of(frog), LoraAdapterSet.Of(moon), LoraAdapterSet.Of(frog, 0f) };
        await using var scheduler = new LlamaBatchScheduler(model, new LlamaSchedulerOptions { ContextSize = 1024, MaxSequences = 4, Threads = 1, BatchSize = 256 });
        var greedy = new GenerationOptions { MaxTokens = 16, Sampling = SamplingOptions.Greedy };
        var together = await Task.WhenAll(sets.Select(set => scheduler.GenerateTextAsync(PatternData.CheckPrompt, greedy, set)));

        Assert.DoesNotContain("purple frog", together[0], StringComparison.Ordinal);
        Assert.DoesNotContain("cheese", together[0], StringComparison.Ordinal);
        Assert.Contains("purple frog that could sing", together[1], StringComparison.Ordinal);
        Assert.DoesNotContain("cheese", together[1], StringComparison.Ordinal);
        Assert.Contains("green moon made of cheese", together[2], StringComparison.Ordinal);
        Assert.DoesNotContain("frog", together[2], StringComparison.Ordinal);
        Assert.Equal(together[0], together[3]); // scale 0 is the base model, also while other adapters run
    }
}
