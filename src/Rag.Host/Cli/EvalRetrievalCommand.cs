using System.Globalization;
using Rag.Core.Evaluation;
using Rag.Core.Evaluation.Reports;
using Rag.Core.Evaluation.Suites;
using Rag.Evaluation.Charts;
using Rag.Core.Indexing;
using Rag.Core.Retrieval;

namespace Rag.Host.Cli;

/// <summary>
/// <c>rag eval retrieval</c>: parses the options, runs <see cref="RetrievalEvaluationRunner.EvaluateAsync"/> and prints
/// nDCG@10, Recall@100 and MRR@10.
/// </summary>
internal static class EvalRetrievalCommand
{
    /// <summary>
    /// Loads the BEIR data set, evaluates, writes the three metric lines to <paramref name="stdout"/> and progress to
    /// <paramref name="stderr"/>; failures throw (the CLI's error policy reports them).
    /// </summary>
    public static async Task<int> RunAsync(string dataset, string split, string? report, string? outDir, RetrievalEvaluationSettings settings,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
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
            await stderr.WriteLineAsync($"{ds.Corpus.Count} documents, {ds.Queries.Count} judged queries; retriever {settings.Retriever}").ConfigureAwait(false);
            var result = await RetrievalEvaluationRunner.EvaluateAsync(ds, settings, cancellationToken: cancellationToken).ConfigureAwait(false);
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"nDCG@10: {result.Scores.NdcgAt10:F4}")).ConfigureAwait(false);
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Recall@100: {result.Scores.RecallAt100:F4}")).ConfigureAwait(false);
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"MRR@10: {result.Scores.MrrAt10:F4}")).ConfigureAwait(false);
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"indexed in {result.IndexSeconds:F1} s, searched {result.Scores.Queries} queries in {result.SearchSeconds:F2} s")).ConfigureAwait(false);
            if (report is not null)
            {
                await RetrievalEvaluationRunner.WriteReportAsync(report, ds, settings, result, cancellationToken).ConfigureAwait(false);
                await stderr.WriteLineAsync($"report written to {report}").ConfigureAwait(false);
            }

            if (outDir is not null)
            {
                var files = await new EvaluationReportWriter(new ScottPlotChartRenderer())
                    .WriteAsync(RetrievalReport.Create(ds, settings, result), outDir, cancellationToken).ConfigureAwait(false);
                await stderr.WriteLineAsync($"report: {files.Markdown} ({files.Json}{string.Concat(files.Charts.Select(c => ", " + c))})").ConfigureAwait(false);
            }

            return 0;
        }
    }
}
