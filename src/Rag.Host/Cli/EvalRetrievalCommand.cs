using System.Globalization;
using Rag.Core.Evaluation;
using Rag.Core.Evaluation.Reports;
using Rag.Core.Evaluation.Suites;
using Rag.Evaluation.Charts;
using Rag.Core.Indexing;
using Rag.Core.Retrieval;
using Microsoft.Extensions.Logging;

namespace Rag.Host.Cli;

/// <summary>
/// <c>rag eval retrieval</c>: parses the options, runs RetrievalEvaluationRunner.EvaluateAsync and prints
/// nDCG@10, Recall@100 and MRR@10.
/// </summary>
internal static class EvalRetrievalCommand
{
    /// <summary>
    /// Loads the BEIR data set, evaluates every retriever in <paramref name="modes"/> over one index, writes the metric
    /// lines to <paramref name="stdout"/> and progress to <paramref name="stderr"/>; failures throw (the CLI's error policy reports them).
    /// </summary>
    public static async Task<int> RunAsync(string dataset, string split, string? report, string? outDir, RetrievalEvaluationSettings settings,
        IReadOnlyList<RetrievalMode> modes, string? embedderName, int threads, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        settings.Retrieval.Validate();
        settings.Lucene.Validate();
        settings.Vectors.Validate();
        {
            await stderr.WriteLineAsync($"loading {dataset} ({split})").ConfigureAwait(false);
            var ds = await BeirDataset.LoadAsync(dataset, split, cancellationToken).ConfigureAwait(false);
            await stderr.WriteLineAsync($"{ds.Corpus.Count} documents, {ds.Queries.Count} judged queries; retriever {string.Join(", ", modes).ToLowerInvariant()}").ConfigureAwait(false);
            using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(new TextWriterLoggerProvider(stderr)));
            using var embedder = modes.Any(m => m != RetrievalMode.Bm25) ? CliEmbedders.Create(embedderName, threads, loggers) : null;
            if (embedder is not null)
            {
                await stderr.WriteLineAsync($"embedder: {CliEmbedders.Describe(embedder)}").ConfigureAwait(false);
            }

            var results = await RetrievalEvaluationRunner.EvaluateAsync(
                ds, settings, modes, embedder, logger: loggers.CreateLogger("Rag.Evaluation"), cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var mode in modes)
            {
                var result = results[mode];
                string label = modes.Count > 1 ? mode.ToString().ToLowerInvariant() + " " : string.Empty;
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{label}nDCG@10: {result.Scores.NdcgAt10:F4}")).ConfigureAwait(false);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{label}Recall@100: {result.Scores.RecallAt100:F4}")).ConfigureAwait(false);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{label}MRR@10: {result.Scores.MrrAt10:F4}")).ConfigureAwait(false);
                await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{label}indexed in {result.IndexSeconds:F1} s, searched {result.Scores.Queries} queries in {result.SearchSeconds:F2} s")).ConfigureAwait(false);
                settings.Retriever = mode;
                if (report is not null)
                {
                    string path = modes.Count > 1 ? WithSuffix(report, mode) : report;
                    await RetrievalEvaluationRunner.WriteReportAsync(path, ds, settings, result, cancellationToken).ConfigureAwait(false);
                    await stderr.WriteLineAsync($"report written to {path}").ConfigureAwait(false);
                }

                if (outDir is not null)
                {
                    var files = await new EvaluationReportWriter(new ScottPlotChartRenderer())
                        .WriteAsync(RetrievalReport.Create(ds, settings, result), modes.Count > 1 ? Path.Combine(outDir, mode.ToString().ToLowerInvariant()) : outDir, cancellationToken)
                        .ConfigureAwait(false);
                    await stderr.WriteLineAsync($"report: {files.Markdown} ({files.Json}{string.Concat(files.Charts.Select(c => ", " + c))})").ConfigureAwait(false);
                }
            }

            return 0;
        }
    }

    private static string WithSuffix(string path, RetrievalMode mode) =>
        Path.Combine(Path.GetDirectoryName(path) ?? string.Empty, $"{Path.GetFileNameWithoutExtension(path)}.{mode.ToString().ToLowerInvariant()}{Path.GetExtension(path)}");
}
