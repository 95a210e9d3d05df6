using System.Globalization;
using Rag.Tools.Benchmarks;

namespace Rag.Host.Cli;

/// <summary><c>rag bench embed</c>: parses the options, runs <see cref="EmbeddingBenchmark"/> and prints one row per batch size.</summary>
internal static class BenchEmbedCommand
{
    /// <summary>Entry point for <c>rag bench embed --model PATH [--batches 1,8,32] [--threads 2] [--texts 256] [--batch-tokens 512]</c>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        string? model = null;
        int[] batches = [1, 8, 32];
        int threads = 2, texts = 256, batchTokens = 512;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                var v = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--model": model = v; break;
                    case "--batches": batches = v.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray(); break;
                    case "--threads": threads = int.Parse(v, CultureInfo.InvariantCulture); break;
                    case "--texts": texts = int.Parse(v, CultureInfo.InvariantCulture); break;
                    case "--batch-tokens": batchTokens = int.Parse(v, CultureInfo.InvariantCulture); break;
                    default: throw new ArgumentException($"Unknown option '{args[i]}'.");
                }

                i++;
            }

            if (model is null)
            {
                throw new ArgumentException("--model is required.");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            await stderr.WriteLineAsync($"{ex.Message}\nusage: bench embed --model PATH [--batches 1,8,32] [--threads 2] [--texts 256] [--batch-tokens 512]").ConfigureAwait(false);
            return 2;
        }

        await EmbeddingBenchmark.MeasureAsync(model, batches, threads, texts,
            new SyncProgress<EmbeddingBenchmark.Result>(r => stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch: {r.Batch}  texts/s: {r.TextsPerSecond:F1}  tokens/s: {r.TokensPerSecond:F0}"))),
            cancellationToken, batchTokens).ConfigureAwait(false);
        return 0;
    }
}
