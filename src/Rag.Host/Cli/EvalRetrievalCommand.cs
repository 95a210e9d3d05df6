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
    private const string Usage =
        "usage: rag eval retrieval --dataset DIR [--retriever bm25|dense|hybrid] [--split test] [--report PATH] [--out DIR]\n" +
        "       [--k1 0.9] [--b 0.4] [--title-boost 0] [--analysis porter|kstem|none] [--fusion rrf|weighted] [--rrf-k 60]\n" +
        "       [--depth 100] [--embedding-dim 384] [--vector-backend auto|faiss|managed] [--faiss Flat]";

    /// <summary>
    /// CLI entry: parses <paramref name="args"/> (the words after <c>eval retrieval</c>), writes the three metric lines to
    /// <paramref name="stdout"/> and progress to <paramref name="stderr"/>. Returns 0 on success, 2 on bad arguments, 1 on failure.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        string? dataset = null, report = null, split = "test", outDir = null;
        var settings = new RetrievalEvaluationSettings();
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--dataset": dataset = Next(); break;
                    case "--split": split = Next(); break;
                    case "--report": report = Next(); break;
                    case "--out": outDir = Next(); break;
                    case "--retriever":
                        settings.Retriever = Next().ToLowerInvariant() switch
                        {
                            "bm25" => RetrievalMode.Bm25,
                            "dense" => RetrievalMode.Dense,
                            "hybrid" => RetrievalMode.Hybrid,
                            var v => throw new ArgumentException($"--retriever must be bm25, dense or hybrid, not '{v}'."),
                        };
                        break;
                    case "--k1": settings.Lucene.K1 = ParseFloat(Next(), "--k1"); break;
                    case "--b": settings.Lucene.B = ParseFloat(Next(), "--b"); break;
                    case "--title-boost": settings.Lucene.TitleBoost = ParseFloat(Next(), "--title-boost"); break;
                    case "--analysis": settings.Lucene.Analysis = ParseEnum<EnglishAnalysis>(Next(), "--analysis"); break;
                    case "--fusion":
                        settings.Retrieval.Fusion = Next().ToLowerInvariant() switch
                        {
                            "rrf" => FusionMethod.Rrf,
                            "weighted" or "minmax" => FusionMethod.WeightedMinMax,
                            var v => throw new ArgumentException($"--fusion must be rrf or weighted, not '{v}'."),
                        };
                        break;
                    case "--rrf-k": settings.Retrieval.RrfK = ParseInt(Next(), "--rrf-k"); break;
                    case "--bm25-weight": settings.Retrieval.Bm25Weight = ParseFloat(Next(), "--bm25-weight"); break;
                    case "--vector-weight": settings.Retrieval.VectorWeight = ParseFloat(Next(), "--vector-weight"); break;
                    case "--depth": settings.Depth = ParseInt(Next(), "--depth"); break;
                    case "--embedding-dim": settings.EmbeddingDimension = ParseInt(Next(), "--embedding-dim"); break;
                    case "--vector-backend": settings.Vectors.Backend = ParseEnum<VectorBackend>(Next(), "--vector-backend"); break;
                    case "--faiss": settings.Vectors.FaissDescription = Next(); break;
                    case "-h" or "--help":
                        await stderr.WriteLineAsync(Usage).ConfigureAwait(false);
                        return 0;
                    default: throw new ArgumentException($"Unknown option '{args[i]}'.");
                }
            }

            if (dataset is null)
            {
                throw new ArgumentException("--dataset DIR is required (a BEIR folder with corpus.jsonl, queries.jsonl, qrels/).");
            }

            settings.Retrieval.Validate();
            settings.Lucene.Validate();
            settings.Vectors.Validate();
        }
        catch (Exception e) when (e is ArgumentException or System.ComponentModel.DataAnnotations.ValidationException)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            await stderr.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        try
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
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or FaissNativeLibraryException or FaissException)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return 1;
        }
    }

    private static float ParseFloat(string s, string name) =>
        float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) ? v : throw new ArgumentException($"{name} expects a number, not '{s}'.");

    private static int ParseInt(string s, string name) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new ArgumentException($"{name} expects an integer, not '{s}'.");

    private static T ParseEnum<T>(string s, string name)
        where T : struct, Enum =>
        Enum.TryParse<T>(s, ignoreCase: true, out var v) && Enum.IsDefined(v)
            ? v
            : throw new ArgumentException($"{name} must be one of {string.Join(", ", Enum.GetNames<T>()).ToLowerInvariant()}, not '{s}'.");
}
