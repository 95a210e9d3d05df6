using System.Diagnostics;
using Rag.Model.Inference;
using Rag.Model.Sampling;
using Rag.Model.Serving.Internal;
using Rag.Model;

namespace Rag.Tools.Benchmarks;

/// <summary>Settings for <see cref="DecodeBenchmark"/>.</summary>
public sealed class DecodeBenchmarkOptions
{
    /// <summary>Decode threads (default 1).</summary>
    public int Threads { get; set; } = 1;

    /// <summary>Tokens measured per run (default 128).</summary>
    public int Tokens { get; set; } = 128;

    /// <summary>Context size (default 2048). Compare bindings at the same context and length: attention cost grows with it.</summary>
    public int ContextSize { get; set; } = 2048;

    /// <summary>Prompt (default "Once upon a time").</summary>
    public string Prompt { get; set; } = "Once upon a time";

    /// <summary>Measured runs (default 5); the best and the median are reported.</summary>
    public int Repeats { get; set; } = 5;

    /// <summary>Throws for invalid values.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Tokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ContextSize, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(Repeats, 1);
        ArgumentException.ThrowIfNullOrEmpty(Prompt);
    }
}

/// <summary>Result of a decode benchmark.</summary>
/// <param name="BestTokensPerSecond">Fastest run.</param>
/// <param name="MedianTokensPerSecond">Median run.</param>
/// <param name="Runs">Every run, tokens per second.</param>
/// <param name="BestTokensPerCpuSecond">
/// Fastest run measured in process CPU time (all threads). On a shared machine this is the stable measure of the work
/// per token, because it excludes time spent preempted.
/// </param>
public sealed record DecodeBenchmarkResult(double BestTokensPerSecond, double MedianTokensPerSecond, IReadOnlyList<double> Runs, double BestTokensPerCpuSecond);

/// <summary>
/// Greedy single-sequence decode speed (after at least one second of warm-up runs) through the public streaming API (<see cref="LlamaContext.GenerateAsync(IReadOnlyList{int}, GenerationOptions?, CancellationToken)"/>),
/// with end-of-generation ignored. The clock starts when the first token arrives (after the prompt is processed) and
/// stops at the last, so it covers exactly <see cref="DecodeBenchmarkOptions.Tokens"/> rounds of decode + sample +
/// detokenize — the same work as bench/native/decode_loop.c.
/// </summary>
public static class DecodeBenchmark
{
    /// <summary>Warms up once, then runs <see cref="DecodeBenchmarkOptions.Repeats"/> measured runs.</summary>
    public static async Task<DecodeBenchmarkResult> RunAsync(LlamaModel model, DecodeBenchmarkOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var ctx = model.CreateContext(new LlamaContextOptions { ContextSize = options.ContextSize, Threads = options.Threads, BatchSize = 512 });
        var prompt = model.Tokenize(options.Prompt, addSpecial: true, parseSpecial: true);
        if (prompt.Length + options.Tokens + 1 > ctx.ContextSize)
        {
            throw new ArgumentException($"Prompt ({prompt.Length}) + tokens ({options.Tokens}) do not fit in the context ({ctx.ContextSize}).", nameof(options));
        }

        // Warm up with full-length runs for at least a second: tiered JIT re-compiles the hot path on a background
        // thread ~100 ms after it gets hot, and that CPU would otherwise land inside short measured runs.
        var warm = Stopwatch.StartNew();
        do
        {
            await RunOnceAsync(ctx, prompt, options.Tokens, cancellationToken).ConfigureAwait(false);
        }
        while (warm.Elapsed < TimeSpan.FromSeconds(1));
        var runs = new List<double>();
        var bestCpu = 0.0;
        for (var r = 0; r < options.Repeats; r++)
        {
            var (wall, cpu) = await RunOnceAsync(ctx, prompt, options.Tokens, cancellationToken).ConfigureAwait(false);
            runs.Add(wall);
            bestCpu = Math.Max(bestCpu, cpu);
        }

        var sorted = runs.Order().ToList();
        return new DecodeBenchmarkResult(sorted[^1], sorted[sorted.Count / 2], runs, bestCpu);
    }

    private static async Task<(double Wall, double Cpu)> RunOnceAsync(LlamaContext ctx, int[] prompt, int tokens, CancellationToken ct)
    {
        var cpuStart = 0.0;
        var options = new GenerationOptions { MaxTokens = tokens + 1, IgnoreEndOfGeneration = true, Sampling = SamplingOptions.Greedy };
        long start = 0;
        var count = -1;
        await foreach (var _ in ctx.GenerateAsync(prompt, options, ct).ConfigureAwait(false))
        {
            if (++count == 0)
            {
                cpuStart = ProcessCpuClock.Seconds();
                start = Stopwatch.GetTimestamp();
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var cpu = ProcessCpuClock.Seconds() - cpuStart;
        return (count / elapsed, count / cpu);
    }
}
