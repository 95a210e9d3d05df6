using System.Diagnostics;

namespace Rag.Model.Tests;

public class LifetimeTests
{
    /// <summary>500 create/dispose cycles of model + context (with a short generation) must leave RSS flat within 5%.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Create_dispose_cycles_keep_rss_flat()
    {
        async Task Cycle()
        {
            using var model = LlamaModel.Load(TestModels.Stories260K);
            using var ctx = model.CreateContext(new LlamaContextOptions { ContextSize = 256, Threads = 1 });
            await foreach (var _ in ctx.GenerateAsync("Once", new GenerationOptions { MaxTokens = 2, Sampling = SamplingOptions.Greedy }))
            {
            }
        }

        // Warm-up lets allocators, JIT and the glibc arena reach their steady size first.
        for (var i = 0; i < 50; i++)
        {
            await Cycle();
        }

        var before = Rss();
        for (var i = 0; i < 500; i++)
        {
            await Cycle();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var after = Rss();
        Assert.True(after <= before * 1.05, $"RSS grew from {before / 1024} KiB to {after / 1024} KiB");
    }

    private static long Rss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64;
    }
}
