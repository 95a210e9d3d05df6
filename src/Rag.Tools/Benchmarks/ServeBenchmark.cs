using System.Diagnostics;
using System.Globalization;
using Rag.Model.Native;
using Rag.Model.Inference;
using Rag.Model.Sampling;
using Rag.Model;
using Rag.Model.Serving;

namespace Rag.Tools.Benchmarks;

/// <summary>Settings of <see cref="ServeBenchmark"/> (<c>rag bench serve</c>).</summary>
public sealed class ServeBenchmarkArguments
{
    /// <summary>The GGUF model.</summary>
    public required string ModelPath { get; init; }

    /// <summary>Concurrent stream counts to measure, in order (default 1, 2, 4, 8, 16).</summary>
    public IReadOnlyList<int> Streams { get; init; } = [1, 2, 4, 8, 16];

    /// <summary>Tokens generated per stream (default 64, like llama-batched-bench's -ntg).</summary>
    public int Tokens { get; init; } = 64;

    /// <summary>Prompt tokens per stream (default 128, like -npp).</summary>
    public int PromptTokens { get; init; } = 128;

    /// <summary>Threads (default 2).</summary>
    public int Threads { get; init; } = 2;

    /// <summary>KV-cache size (default 4096, like -c).</summary>
    public int ContextSize { get; init; } = 4096;

    /// <summary>Use a unified KV cache (default false, which is llama-batched-bench's default layout).</summary>
    public bool UnifiedKvCache { get; init; }

    /// <summary>Repetitions per stream count; the best is reported (default 1).</summary>
    public int Repeat { get; init; } = 1;

    /// <summary>Throws for invalid values.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(ModelPath);
        if (Streams.Count == 0 || Streams.Any(s => s < 1 || s > 128))
        {
            throw new ArgumentException("--streams must list counts between 1 and 128.", nameof(Streams));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Tokens, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(PromptTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Repeat, 1);
    }
}

/// <summary>One row of a serving benchmark.</summary>
/// <param name="Streams">Concurrent streams.</param>
/// <param name="AggregateDecodeTokensPerSecond">Tokens/s over decode-only steps (all streams together), sampling included.</param>
/// <param name="WallTokensPerSecond">Generated tokens / wall time from submission to the last token (prefill included).</param>
/// <param name="PerStreamTokensPerSecond">Each stream's tokens/s from its first to its last token.</param>
/// <param name="DecodeTokensPerCpuSecond">Decode-only tokens per process CPU-second (robust on a shared machine at 1 thread).</param>
public sealed record ServeBenchmarkResult(int Streams, double AggregateDecodeTokensPerSecond, double WallTokensPerSecond, IReadOnlyList<double> PerStreamTokensPerSecond,
    double DecodeTokensPerCpuSecond = 0);

/// <summary>
/// The serving benchmark behind <c>rag bench serve</c>: N concurrent greedy streams through one <see cref="LlamaBatchScheduler"/>,
/// measured like llama.cpp's <c>llama-batched-bench</c> (random prompt tokens of -npp, -ntg generated tokens each,
/// end-of-generation ignored, all prompts prefilled in the first step).
/// </summary>
public static class ServeBenchmark
{
    /// <summary>Runs the benchmark and returns one row per stream count.</summary>
    public static async Task<IReadOnlyList<ServeBenchmarkResult>> MeasureAsync(ServeBenchmarkArguments args, IProgress<ServeBenchmarkResult>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.Validate();
        LlamaBackend.Initialize();
        using var model = LlamaModel.Load(args.ModelPath, cancellationToken: cancellationToken);
        var results = new List<ServeBenchmarkResult>();
        var maxStreams = args.Streams.Max();
        var options = new LlamaSchedulerOptions
        {
            ContextSize = args.ContextSize,
            BatchSize = 2048,
            MicroBatchSize = 512,
            MaxSequences = maxStreams,
            PrefillChunkTokens = 2048,
            Threads = args.Threads,
            UnifiedKvCache = args.UnifiedKvCache,
            EnablePrefixCache = false,
            MaxQueuedRequests = maxStreams,
        };
        await using var scheduler = new LlamaBatchScheduler(model, options);
        if (args.PromptTokens + args.Tokens > scheduler.SequenceCapacity)
        {
            throw new ArgumentException($"A stream needs {args.PromptTokens + args.Tokens} tokens but a sequence holds {scheduler.SequenceCapacity}; raise --ctx.");
        }

        var rng = new Random(1234);
        int[] Prompt() => Enumerable.Range(0, args.PromptTokens).Select(_ => rng.Next(3, model.VocabSize)).ToArray();

        // Warm-up: first-touch of weights and graph allocation.
        await RunStreams(scheduler, [Prompt()], Math.Min(8, args.Tokens), cancellationToken).ConfigureAwait(false);

        foreach (var n in args.Streams)
        {
            ServeBenchmarkResult? best = null;
            for (var rep = 0; rep < args.Repeat; rep++)
            {
                var prompts = Enumerable.Range(0, n).Select(_ => Prompt()).ToArray();
                var before = scheduler.GetStatistics();
                var (wall, perStream) = await RunStreams(scheduler, prompts, args.Tokens, cancellationToken).ConfigureAwait(false);
                var after = scheduler.GetStatistics();
                var tokens = after.DecodeOnlyTokens - before.DecodeOnlyTokens;
                var seconds = (after.DecodeOnlyTime - before.DecodeOnlyTime).TotalSeconds;
                var cpu = (after.DecodeOnlyCpuTime - before.DecodeOnlyCpuTime).TotalSeconds;
                var r = new ServeBenchmarkResult(n, seconds > 0 ? tokens / seconds : 0, n * args.Tokens / wall.TotalSeconds, perStream, cpu > 0 ? tokens / cpu : 0);
                if (best is null || r.AggregateDecodeTokensPerSecond > best.AggregateDecodeTokensPerSecond)
                {
                    best = r;
                }
            }

            results.Add(best!);
            progress?.Report(best!);
        }

        return results;
    }

    private static async Task<(TimeSpan Wall, IReadOnlyList<double> PerStream)> RunStreams(LlamaBatchScheduler scheduler, int[][] prompts, int tokens, CancellationToken ct)
    {
        var options = new GenerationOptions { MaxTokens = tokens, IgnoreEndOfGeneration = true, Sampling = SamplingOptions.Greedy };
        var start = Stopwatch.GetTimestamp();
        var streams = prompts.Select(p => scheduler.GenerateAsync(p, options, cancellationToken: ct)).ToArray();
        var perStream = await Task.WhenAll(streams.Select(async s =>
        {
            long first = 0, last = 0;
            var n = 0;
            await foreach (var _ in s.ConfigureAwait(false))
            {
                last = Stopwatch.GetTimestamp();
                if (n++ == 0)
                {
                    first = last;
                }
            }

            return n > 1 ? (n - 1) / Stopwatch.GetElapsedTime(first, last).TotalSeconds : 0;
        })).ConfigureAwait(false);
        return (Stopwatch.GetElapsedTime(start), perStream);
    }
}
