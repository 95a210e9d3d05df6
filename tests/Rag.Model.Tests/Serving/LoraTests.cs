using Rag.Model.Lora;
using Rag.Model.Native;
using Rag.Model.Serving;
using Rag.Model.Inference;
using Rag.Tools.Synthetic;

namespace Rag.Model.Tests.Serving;

/// <summary>Two random rank-4 adapters for stories260K and one made for another model, written by our GGUF writer.</summary>
public sealed class LoraFixture : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rag-serving-lora-" + Guid.NewGuid().ToString("N"));

    public LoraFixture()
    {
        LlamaBackend.Initialize();
        Directory.CreateDirectory(_dir);
        AdapterA = Path.Combine(_dir, "a.gguf");
        AdapterB = Path.Combine(_dir, "b.gguf");
        Foreign = Path.Combine(_dir, "foreign.gguf");
        LoraAdapterWriter.Write(TestModels.Stories260K, AdapterA, new LoraAdapterOptions { Rank = 4, Seed = 11, Std = 0.2f });
        LoraAdapterWriter.Write(TestModels.Stories260K, AdapterB, new LoraAdapterOptions { Rank = 4, Seed = 22, Std = 0.2f });
        LoraAdapterWriter.Write(TestModels.Llama2TinyRandom, Foreign, new LoraAdapterOptions { Rank = 4, Seed = 33 });
        Model = LlamaModel.Load(TestModels.Stories260K);
    }

    public LlamaModel Model { get; }

    public string AdapterA { get; }

    public string AdapterB { get; }

    public string Foreign { get; }

    public void Dispose()
    {
        Model.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public class LoraTests(LoraFixture fx) : IClassFixture<LoraFixture>
{
    private static float[] PromptLogits(LlamaContext ctx, int[] tokens)
    {
        ctx.ClearMemory();
        ctx.Decode(tokens.Select((t, i) => new BatchToken(t, i, 0, i == tokens.Length - 1)).ToArray());
        return ctx.GetLogits(tokens.Length - 1).ToArray();
    }

    [Fact]
    public void Adapter_changes_logits_and_scale_zero_gives_base_logits_exactly()
    {
        using var a = LlamaLoraAdapter.Load(fx.Model, fx.AdapterA);
        Assert.Equal(4f, a.Alpha);
        using var ctx = fx.Model.CreateContext(new LlamaContextOptions { ContextSize = 128, Threads = 1 });
        var tokens = fx.Model.Tokenize("Once upon a time");
        var baseLogits = PromptLogits(ctx, tokens);
        float[] adapted, zero;
        using (ctx.UseLoraAdapters(LoraAdapterSet.Of(a, 1f)))
        {
            adapted = PromptLogits(ctx, tokens);
        }

        using (ctx.UseLoraAdapters(LoraAdapterSet.Of(a, 0f)))
        {
            zero = PromptLogits(ctx, tokens);
        }

        var after = PromptLogits(ctx, tokens);
        var maxDiff = baseLogits.Zip(adapted, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(maxDiff > 1e-3, $"adapter moved logits by at most {maxDiff}");
        Assert.Equal(baseLogits, zero);
        Assert.Equal(baseLogits, after);
    }

    [Fact]
    public async Task Concurrent_requests_with_different_adapters_each_get_what_they_get_alone()
    {
        using var a = LlamaLoraAdapter.Load(fx.Model, fx.AdapterA);
        using var b = LlamaLoraAdapter.Load(fx.Model, fx.AdapterB);
        var sets = new[] { LoraAdapterSet.Empty, LoraAdapterSet.Of(a), LoraAdapterSet.Of(b), new LoraAdapterSet([new(a, 0.5f), new(b, 0.5f)]) };
        var options = new LlamaSchedulerOptions { ContextSize = 1024, MaxSequences = 8, Threads = 1, BatchSize = 256 };
        var alone = new List<string>();
        await using (var s = new LlamaBatchScheduler(fx.Model, options))
        {
            foreach (var set in sets)
            {
                alone.Add(await s.GenerateTextAsync("Once upon a time", Stories260KFixture.Greedy(40), set));
            }
        }

        Assert.Equal(4, alone.Distinct().Count());
        await using var scheduler = new LlamaBatchScheduler(fx.Model, options);
        var together = await Task.WhenAll(sets.Select(set => scheduler.GenerateTextAsync("Once upon a time", Stories260KFixture.Greedy(40), set)));
        Assert.Equal(alone, together);
    }

    [Fact]
    public async Task Adapter_for_another_model_throws_specific_error_and_serving_continues()
    {
        await using var scheduler = new LlamaBatchScheduler(fx.Model, new LlamaSchedulerOptions { ContextSize = 512, MaxSequences = 2, Threads = 1, BatchSize = 128 });
        var running = scheduler.GenerateTextAsync("Once upon a time", Stories260KFixture.Greedy(32));
        var ex = Assert.Throws<LlamaLoraAdapterException>(() => LlamaLoraAdapter.Load(fx.Model, fx.Foreign));
        Assert.Equal(Path.GetFullPath(fx.Foreign), ex.AdapterPath);
        Assert.Contains("another model", ex.Message, StringComparison.Ordinal);
        Assert.Contains("shape", ex.Message, StringComparison.Ordinal); // llama.cpp's own reason is quoted
        Assert.NotEmpty(await running);
        Assert.Throws<FileNotFoundException>(() => LlamaLoraAdapter.Load(fx.Model, fx.Foreign + ".missing"));
    }

    [Fact]
    public async Task Disposed_adapter_stays_loaded_until_its_request_ends()
    {
        await using var scheduler = new LlamaBatchScheduler(fx.Model, new LlamaSchedulerOptions { ContextSize = 512, MaxSequences = 2, Threads = 1, BatchSize = 128 });
        var a = LlamaLoraAdapter.Load(fx.Model, fx.AdapterA);
        var expected = await scheduler.GenerateTextAsync("Once upon a time", Stories260KFixture.Greedy(32), LoraAdapterSet.Of(a));
        var stream = scheduler.GenerateAsync("Once upon a time", Stories260KFixture.Greedy(32), LoraAdapterSet.Of(a));
        a.Dispose();
        Assert.True(a.IsDisposed);
        var text = string.Concat(stream.ToBlockingEnumerable().Select(t => t.Text));
        Assert.Equal(expected, text);
        Assert.Throws<ObjectDisposedException>(() => LoraAdapterSet.Of(a));
    }
}
