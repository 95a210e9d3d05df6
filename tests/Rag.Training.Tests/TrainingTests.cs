using Xunit.Abstractions;
using Rag.Model.Lora;

namespace Rag.Training.Tests;

/// <summary>Acceptance 2 and 3: a trained adapter teaches a pattern that llama.cpp reproduces; scale 0 is the base model.</summary>
public class TrainingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Default_training_teaches_a_pattern_that_llama_cpp_reproduces_with_the_adapter()
    {
        using var model = LlamaCpp.Load(TestModels.Stories260K);
        using var dir = new TempDir();
        var data = TrainingDataset.LoadJsonl(PatternData.WriteJsonl(dir.Path), model);
        Assert.Equal(100, data.Count);
        var (train, eval) = TrainingDataset.Split(data, 0.1);
        var trainer = LoraTrainer.Create(TestModels.Stories260K); // the defaults: 8 epochs, rank 8
        var reports = new List<LoraTrainingProgress>();
        var result = trainer.Train(train, eval, new SyncProgress<LoraTrainingProgress>(reports.Add));

        Assert.Equal(8, result.Epochs.Count);
        Assert.Equal(8, reports.Count(r => r.EvalLoss is not null));
        var initial = result.InitialEvalLoss!.Value;
        var final = result.Epochs[^1].EvalLoss!.Value;
        output.WriteLine($"held-out loss {initial:F4} -> {final:F4} ({string.Join(", ", result.Epochs.Select(e => e.EvalLoss!.Value.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}); {result.TokensPerSecond:F0} tokens/s");
        Assert.True(final <= initial * 0.5, $"held-out loss {initial:F3} -> {final:F3}");
        Assert.True(result.Epochs[^1].EvalPerplexity < Math.Exp(initial));

        var path = Path.Combine(dir.Path, "pattern.gguf");
        trainer.ExportAdapter().Write(path);
        using var adapter = LlamaLoraAdapter.Load(model, path);
        var (baseText, _) = await LlamaCpp.GreedyAsync(model, PatternData.CheckPrompt, 16);
        var (loraText, loraTokens) = await LlamaCpp.GreedyAsync(model, PatternData.CheckPrompt, 16, LoraAdapterSet.Of(adapter));
        var (zeroText, _) = await LlamaCpp.GreedyAsync(model, PatternData.CheckPrompt, 16, LoraAdapterSet.Of(adapter, 0f));
        Assert.DoesNotContain("purple frog", baseText, StringComparison.Ordinal);
        Assert.Contains("purple frog that could sing", loraText, StringComparison.Ordinal);
        Assert.Equal(baseText, zeroText);
        output.WriteLine($"base: {baseText}\nadapter: {loraText}");

        // llama.cpp with the adapter reproduces the trainer's own forward pass: same greedy tokens, same logits
        var prompt = model.Tokenize(PatternData.CheckPrompt);
        var own = trainer.GreedyContinuation(prompt, 16, model.Metadata.EosToken);
        Assert.Equal(own, loraTokens);
        var sequence = prompt.Concat(own).ToArray();
        var err = LlamaCpp.MaxRelativeError(trainer.ComputeLogits(sequence), LlamaCpp.Logits(model, sequence, LoraAdapterSet.Of(adapter)), model.VocabSize);
        Assert.True(err < 1e-4, $"trained adapter: max relative logit error {err:E2}");
    }

    [Fact]
    public void Cancelled_run_resumes_from_its_checkpoint_to_the_same_adapter()
    {
        using var model = LlamaCpp.Load(TestModels.Stories260K);
        var data = PatternData.Examples().Take(12).Select(e => TrainingDataset.Tokenize(model, e.Prompt, e.Completion)).ToList();
        using var dir = new TempDir();
        LoraTrainingOptions Options(string? checkpoint) => new() { Epochs = 2, Rank = 2, BatchSize = 3, GradientAccumulationSteps = 2, Dropout = 0.1f, CheckpointPath = checkpoint, Resume = checkpoint is not null };

        var straight = LoraTrainer.Create(TestModels.Stories260K, Options(null));
        straight.Train(data);
        var expected = straight.ExportAdapter();

        var checkpoint = Path.Combine(dir.Path, "ckpt.gguf");
        using var cts = new CancellationTokenSource();
        var first = LoraTrainer.Create(TestModels.Stories260K, Options(checkpoint));
        Assert.Throws<OperationCanceledException>(() => first.Train(data, null, new SyncProgress<LoraTrainingProgress>(p =>
        {
            if (p.Step == 3)
            {
                cts.Cancel(); // mid second epoch (2 steps per epoch)
            }
        }), cts.Token));
        Assert.True(File.Exists(checkpoint));

        var resumed = LoraTrainer.Create(TestModels.Stories260K, Options(checkpoint));
        var result = resumed.Train(data);
        Assert.Equal(4, result.Steps);
        var actual = resumed.ExportAdapter();
        for (var i = 0; i < expected.Tensors.Count; i++)
        {
            Assert.Equal(expected.Tensors[i].A, actual.Tensors[i].A);
            Assert.Equal(expected.Tensors[i].B, actual.Tensors[i].B);
        }
    }

    [Fact]
    public void Merged_model_gives_the_logits_of_base_plus_adapter()
    {
        using var model = LlamaCpp.Load(TestModels.Stories260K);
        var trainer = LoraTrainer.Create(TestModels.Stories260K, new LoraTrainingOptions { Rank = 4 });
        ForwardTests.Randomize(trainer.Network, 0.1f, 5);
        using var dir = new TempDir();
        var adapterPath = Path.Combine(dir.Path, "a.gguf");
        var merged = Path.Combine(dir.Path, "merged.gguf");
        trainer.ExportAdapter().Write(adapterPath);
        Assert.Equal(35, LoraMerger.Merge(TestModels.Stories260K, adapterPath, merged));

        var tokens = model.Tokenize("Once upon a time, there was a dog.");
        using var adapter = LlamaLoraAdapter.Load(model, adapterPath);
        var expected = LlamaCpp.Logits(model, tokens, LoraAdapterSet.Of(adapter));
        using var mergedModel = LlamaCpp.Load(merged);
        var err = LlamaCpp.MaxRelativeError(LlamaCpp.Logits(mergedModel, tokens), expected, model.VocabSize);
        Assert.True(err < 1e-4, $"merged vs adapter: {err:E2}");
    }

    [Fact]
    public void Adapter_trained_for_stories260K_is_refused_by_another_model()
    {
        var trainer = LoraTrainer.Create(TestModels.Stories260K, new LoraTrainingOptions { Rank = 2 });
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "a.gguf");
        trainer.ExportAdapter().Write(path);
        using var other = LlamaCpp.Load(TestModels.Llama2TinyRandom);
        Assert.Throws<LlamaLoraAdapterException>(() => LlamaLoraAdapter.Load(other, path));
        Assert.Throws<InvalidDataException>(() => LoraMerger.Merge(TestModels.Llama2TinyRandom, path, Path.Combine(dir.Path, "m.gguf")));
    }
}

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
