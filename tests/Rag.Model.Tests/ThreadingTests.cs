using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Rag.Model.Inference;
using Rag.Model.Native;
using Rag.Model.Native.Internal;
using Rag.Model.Native.Interop;
using Rag.Model.Sampling;
using Rag.Model.Serving;

namespace Rag.Model.Tests;

/// <summary>Compute threads: the CPU thread pool (layout, lifetime) and the adaptive thread count under real load.</summary>
[Collection(nameof(LifetimeTests))]
public class ThreadingTests
{
    public ThreadingTests() => LlamaBackend.EnsureInitialized();

    /// <summary>ggml.h: bool cpumask[GGML_MAX_N_THREADS = 512]; int n_threads; enum prio; uint32_t poll; bool strict_cpu; bool paused.</summary>
    [Fact]
    public void Thread_pool_params_match_the_header_and_its_documented_defaults()
    {
        Assert.Equal(528, Unsafe.SizeOf<GgmlThreadPoolParams>());
        Assert.Equal(512, (int)Marshal.OffsetOf<GgmlThreadPoolParams>(nameof(GgmlThreadPoolParams.n_threads)));
        Assert.Equal(520, (int)Marshal.OffsetOf<GgmlThreadPoolParams>(nameof(GgmlThreadPoolParams.poll)));
        Assert.Equal(524, (int)Marshal.OffsetOf<GgmlThreadPoolParams>(nameof(GgmlThreadPoolParams.strict_cpu)));
        Assert.Equal(525, (int)Marshal.OffsetOf<GgmlThreadPoolParams>(nameof(GgmlThreadPoolParams.paused)));

        // ggml_threadpool_params_init: prio 0, poll 50, strict_cpu false, paused false, an all-zero cpumask.
        var p = GgmlNative.ggml_threadpool_params_default(3);
        Assert.Equal(3, p.n_threads);
        Assert.Equal(0, p.prio);
        Assert.Equal(50u, p.poll);
        Assert.Equal(0, p.strict_cpu);
        Assert.Equal(0, p.paused);
        unsafe
        {
            for (var i = 0; i < GgmlThreadPoolParams.MaxThreads; i++)
            {
                Assert.Equal(0, p.cpumask[i]);
            }
        }

        Assert.True(CpuThreadPoolApi.IsAvailable, "the CPU backend should export ggml_threadpool_new/free");
    }

    [Fact]
    public void A_context_frees_its_thread_pool_and_workers_when_disposed_and_not_before()
    {
        using var model = LlamaModel.Load(TestModels.Stories260K);

        // Created on a thread of its own name: ggml's workers inherit the creating thread's name (Linux comm), which
        // tells them apart from the runtime's own threads that come and go meanwhile.
        const string name = "rag-pool-test";
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Assert.Equal(0, Workers(name));
                var ctx = model.CreateContext(new LlamaContextOptions { ContextSize = 128, Threads = 2, AdaptiveThreads = false });
                var pool = ctx.Handle.Threads!.Pool;
                Assert.NotNull(pool);
                Assert.Equal(2, pool.Threads);
                Assert.False(pool.IsClosed);
                // One worker (the decoding thread is worker 0). A runtime thread started from this thread carries its name
                // until the runtime renames it, so wait (bounded) for the count to settle rather than read it once.
                Assert.True(SpinWait.SpinUntil(() => Workers(name) == 1, TimeSpan.FromSeconds(10)), $"workers: {Workers(name)}");

                ctx.Decode([new BatchToken(1, 0, 0, true)]);
                Assert.Equal(2, ctx.ThreadsInUse);
                ctx.Dispose();
                Assert.True(pool.IsClosed);
                Assert.True(SpinWait.SpinUntil(() => Workers(name) == 0, TimeSpan.FromSeconds(10)), $"workers: {Workers(name)}"); // ggml_threadpool_free joined it
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        })
        { Name = name };
        thread.Start();
        thread.Join();
        Assert.Null(failure);

        // A context with one thread has no pool at all: a decode runs exactly as before this pool existed.
        using var single = model.CreateContext(new LlamaContextOptions { ContextSize = 128, Threads = 1 });
        Assert.Null(single.Handle.Threads!.Pool);
    }

    [Fact]
    public async Task Greedy_output_through_the_pool_equals_one_thread()
    {
        using var model = LlamaModel.Load(TestModels.Stories260K);
        async Task<string> Generate(int threads)
        {
            using var ctx = model.CreateContext(new LlamaContextOptions { ContextSize = 256, Threads = threads, AdaptiveThreads = false });
            var text = new System.Text.StringBuilder();
            await foreach (var t in ctx.GenerateAsync("Once upon a time", new GenerationOptions { MaxTokens = 48, Sampling = SamplingOptions.Greedy }))
            {
                text.Append(t.Text);
            }

            return text.ToString();
        }

        var one = await Generate(1);
        Assert.Contains("Lily", one, StringComparison.Ordinal);
        Assert.Equal(one, await Generate(2));
    }

    [Theory]
    [InlineData(2.0, 0, 2, 2)]  // quiet: both cores free (idle or ours)
    [InlineData(1.33, 0, 2, 1)] // one busy process, fair share of three threads on two cores
    [InlineData(1.0, 0, 2, 1)]  // one busy process, autogroup scheduling
    [InlineData(1.75, 0, 2, 2)] // a light competitor on a quarter of a core still leaves two threads ahead
    [InlineData(1.6, 0, 2, 1)]
    [InlineData(2.0, 1, 2, 1)]  // another context of this process holds a core right now
    [InlineData(0.1, 0, 8, 1)]  // never fewer than one
    [InlineData(16.0, 0, 8, 8)] // never more than configured
    public void The_thread_count_follows_the_free_cores(double free, int leased, int max, int expected) =>
        Assert.Equal(expected, ContextThreads.Choose(free, leased, max));

    /// <summary>
    /// Real competing processes (twice as many busy loops as cores): the measured free cores fall below one, and a
    /// 2-thread scheduler decodes with one thread instead of spinning two threads against them.
    /// </summary>
    [Fact]
    public async Task Under_competing_busy_processes_a_two_thread_scheduler_decodes_with_one()
    {
        using var model = LlamaModel.Load(TestModels.Stories260K);
        await using var scheduler = new LlamaBatchScheduler(model, new LlamaSchedulerOptions
        {
            ContextSize = 512, MaxSequences = 2, Threads = 2, EnablePrefixCache = false,
        });

        var busy = Enumerable.Range(0, 2 * Environment.ProcessorCount).Select(_ => Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "while :; do :; done"]))!).ToList();
        try
        {
            // Two complete 100 ms windows with the competitors running.
            var start = CpuAvailability.Read().Window;
            var sw = Stopwatch.StartNew();
            while (CpuAvailability.Read().Window < start + 2 && sw.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20);
            }

            var reading = CpuAvailability.Read();
            Assert.True(reading.FreeCores is >= 0 and < 1.0, $"free cores {reading.FreeCores:F2} with {busy.Count} busy processes");

            var before = scheduler.GetStatistics();
            await foreach (var _ in scheduler.GenerateAsync("Once upon a time", new GenerationOptions { MaxTokens = 16, IgnoreEndOfGeneration = true, Sampling = SamplingOptions.Greedy }))
            {
            }

            var after = scheduler.GetStatistics();
            Assert.Equal(1, after.ThreadsInUse);
            // Every step of the generation ran reduced (the counter of a step is bumped before its decode, the step count after it).
            Assert.True(after.ReducedThreadSteps - before.ReducedThreadSteps >= after.Steps - before.Steps,
                $"{after.ReducedThreadSteps - before.ReducedThreadSteps} reduced of {after.Steps - before.Steps} steps");
        }
        finally
        {
            foreach (var p in busy)
            {
                p.Kill();
                p.WaitForExit();
                p.Dispose();
            }
        }
    }

    // Threads named like the calling thread, other than the calling thread itself.
    private static int Workers(string name)
    {
        var self = File.ReadAllText("/proc/thread-self/stat").Split(' ')[0];
        return Directory.GetDirectories("/proc/self/task").Count(t => Path.GetFileName(t) != self && Comm(t) == name);

        static string? Comm(string task)
        {
            try
            {
                return File.ReadAllText(Path.Combine(task, "comm")).Trim();
            }
            catch (IOException)
            {
                return null; // the thread exited meanwhile
            }
        }
    }
}
