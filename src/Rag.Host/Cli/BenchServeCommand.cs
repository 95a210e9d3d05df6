using System.Globalization;
using Rag.Model;
using Rag.Tools.Benchmarks;

namespace Rag.Host.Cli;

/// <summary><c>rag bench serve</c>: parses the options, runs <see cref="ServeBenchmark"/> and prints one row per stream count.</summary>
internal static class BenchServeCommand
{
    /// <summary>Formats one row as printed by <c>rag bench serve</c>.</summary>
    public static string Format(ServeBenchmarkResult r) => string.Create(CultureInfo.InvariantCulture,
        $"streams: {r.Streams}  aggregate decode tokens/s: {r.AggregateDecodeTokensPerSecond:F1}  decode tokens/cpu-s: {r.DecodeTokensPerCpuSecond:F1}  reduced-thread steps: {r.ReducedThreadStepShare:P0}  wall tokens/s: {r.WallTokensPerSecond:F1}  per-stream tokens/s: {string.Join(" ", r.PerStreamTokensPerSecond.Select(x => x.ToString("F1", CultureInfo.InvariantCulture)))}");

    /// <summary>Runs <see cref="ServeBenchmark"/> and prints one row per stream count to <paramref name="stdout"/>.</summary>
    public static async Task<int> RunAsync(ServeBenchmarkArguments arguments, TextWriter stdout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(stdout);
        arguments.Validate();
        await ServeBenchmark.MeasureAsync(arguments, new SyncProgress<ServeBenchmarkResult>(r => stdout.WriteLine(Format(r))), cancellationToken).ConfigureAwait(false);
        return 0;
    }
}
