using System.Globalization;
using Rag.Tools.Benchmarks;

namespace Rag.Host.Cli;

/// <summary><c>rag bench embed</c>: parses the options, runs <see cref="EmbeddingBenchmark"/> and prints one row per batch size.</summary>
internal static class BenchEmbedCommand
{
    /// <summary>Runs <see cref="EmbeddingBenchmark"/> and prints one row per batch size.</summary>
    public static async Task<int> RunAsync(string model, IReadOnlyList<int> batches, int threads, int texts, int batchTokens, TextWriter stdout, CancellationToken cancellationToken)
    {
        await EmbeddingBenchmark.MeasureAsync(model, [.. batches], threads, texts,
            new SyncProgress<EmbeddingBenchmark.Result>(r => stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch: {r.Batch}  texts/s: {r.TextsPerSecond:F1}  tokens/s: {r.TokensPerSecond:F0}"))),
            cancellationToken, batchTokens).ConfigureAwait(false);
        return 0;
    }
}
