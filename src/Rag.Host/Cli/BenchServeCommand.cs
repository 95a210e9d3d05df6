using System.Globalization;
using Rag.Model;
using Rag.Tools.Benchmarks;

namespace Rag.Host.Cli;

/// <summary><c>rag bench serve</c>: parses the options, runs <see cref="ServeBenchmark"/> and prints one row per stream count.</summary>
internal static class BenchServeCommand
{
    /// <summary>Formats one row as printed by <c>rag bench serve</c>.</summary>
    public static string Format(ServeBenchmarkResult r) => string.Create(CultureInfo.InvariantCulture,
        $"streams: {r.Streams}  aggregate decode tokens/s: {r.AggregateDecodeTokensPerSecond:F1}  decode tokens/cpu-s: {r.DecodeTokensPerCpuSecond:F1}  wall tokens/s: {r.WallTokensPerSecond:F1}  per-stream tokens/s: {string.Join(" ", r.PerStreamTokensPerSecond.Select(x => x.ToString("F1", CultureInfo.InvariantCulture)))}");

    /// <summary>
    /// Entry point for <c>rag bench serve --model PATH [--streams 1,2,4,8,16] [--tokens 64] [--prompt-tokens 128]
    /// [--threads 2] [--ctx 4096] [--unified-kv] [--repeat 1]</c>. Results go to stdout, errors to stderr; returns the exit code.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ServeBenchmarkArguments parsed;
        try
        {
            parsed = Parse(args);
            parsed.Validate();
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            await stderr.WriteLineAsync($"{ex.Message}\nusage: rag bench serve --model PATH [--streams 1,2,4,8,16] [--tokens 64] [--prompt-tokens 128] [--threads 2] [--ctx 4096] [--unified-kv] [--repeat 1]").ConfigureAwait(false);
            return 2;
        }

        try
        {
            await ServeBenchmark.MeasureAsync(parsed, new SyncProgress<ServeBenchmarkResult>(r => stdout.WriteLine(Format(r))), cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (ex is IOException or LlamaModelLoadException or ArgumentException or InvalidOperationException)
        {
            await stderr.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 1;
        }
    }

    internal static ServeBenchmarkArguments Parse(string[] args)
    {
        string? model = null;
        IReadOnlyList<int> streams = [1, 2, 4, 8, 16];
        int tokens = 64, prompt = 128, threads = 2, ctx = 4096, repeat = 1;
        var unified = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--model": model = Next(); break;
                case "--streams": streams = Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--tokens": tokens = NextInt(); break;
                case "--prompt-tokens": prompt = NextInt(); break;
                case "--threads": threads = NextInt(); break;
                case "--ctx": ctx = NextInt(); break;
                case "--repeat": repeat = NextInt(); break;
                case "--unified-kv": unified = true; break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        return new ServeBenchmarkArguments
        {
            ModelPath = model ?? throw new ArgumentException("--model is required."),
            Streams = streams,
            Tokens = tokens,
            PromptTokens = prompt,
            Threads = threads,
            ContextSize = ctx,
            UnifiedKvCache = unified,
            Repeat = repeat,
        };
    }
}
