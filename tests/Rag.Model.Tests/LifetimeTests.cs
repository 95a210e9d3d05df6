using System.Diagnostics;
using System.Runtime.InteropServices;
using Rag.Model.Inference;
using Rag.Model.Sampling;

namespace Rag.Model.Tests;

/// <summary>Runs alone: other test classes load models in parallel and would move the process RSS.</summary>
[CollectionDefinition(nameof(LifetimeTests), DisableParallelization = true)]
public sealed class LifetimeTestsCollection;

[Collection(nameof(LifetimeTests))]
public partial class LifetimeTests
{
    /// <summary>500 create/dispose cycles of model + context (with a short generation) must leave RSS flat within 5%.</summary>
    [Fact]
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

        // Warm-up lets the thread pool, GC budget and glibc malloc arenas reach their steady size first.
        for (var i = 0; i < 200; i++)
        {
            await Cycle();
        }

        // RSS of a multi-threaded process jitters by a few MB (per-thread malloc arenas, async continuations hop
        // threads), so compare the mean of the first three samples with the mean of the last three, 500 cycles apart.
        var samples = new List<long>();
        var native = new List<long>();
        var threads = new List<int>();
        for (var i = 0; i <= 500; i++)
        {
            if (i % 50 == 0 || i == 500)
            {
                samples.Add(Rss());
                native.Add(NativeInUse());
                threads.Add(Process.GetCurrentProcess().Threads.Count);
            }

            if (i < 500)
            {
                await Cycle();
            }
        }

        var before = samples.Take(3).Average();
        var after = samples.TakeLast(3).Average();
        var trace = $"rss KiB: {string.Join(' ', samples.Select(x => x / 1024))}; malloc in use KiB: {string.Join(' ', native.Select(x => x / 1024))}; threads: {string.Join(' ', threads)}";
        Assert.True(native.TakeLast(3).Average() <= native.Take(3).Average() * 1.05 + 256 * 1024, $"native heap grew ({trace})");
        Assert.True(after <= before * 1.05, $"RSS grew from {before / 1024:F0} KiB to {after / 1024:F0} KiB ({trace})");
    }

    // Returns freed-but-cached malloc pages to the OS so that allocator caching is not mistaken for a leak; memory
    // still referenced (a real leak) is unaffected.
    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallInfo2 Mallinfo2();

    private static long NativeInUse()
    {
        var m = Mallinfo2();
        return (long)(m.Uordblks + m.Hblkhd);
    }

    private static long Rss()
    {
        // Aggressive mode also decommits the GC's free regions: its budget grows over the first few hundred cycles and
        // would otherwise read as growth (measured: committed 7 → 26 MB, then flat, while live managed bytes stay ~1.3 MB).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        MallocTrim(0);
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64;
    }
}
