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
    private const string Usage =
        "usage: rag eval retrieval --dataset DIR [--retriever bm25|dense|hybrid[,...]] [--embedder minilm|arctic-xs|hashing|PATH] [--threads N]\n" +
        "       [--split test] [--report PATH] [--out DIR]\n" +
        "       [--k1 0.9] [--b 0.4] [--title-boost 0] [--analysis porter|kstem|none] [--fusion rrf|weighted] [--rrf-k 60]\n" +
        "       [--bm25-weight 0.5] [--vector-weight 0.5] [--depth 100] [--embedding-dim 384 (hashing)] [--vector-backend auto|faiss|managed] [--faiss Flat]\n" +
        "Dense and hybrid runs embed with --embedder (default minilm: all-MiniLM-L6-v2 through ONNX Runtime). Several retrievers\n" +
        "(--retriever dense,hybrid) share one index, so the corpus is embedded once; each metric line then starts with the retriever.";

    /// <summary>
    /// CLI entry: parses <paramref name="args"/> (the words after <c>eval retrieval</c>), writes the three metric lines to
    /// <paramref name="stdout"/> and progress to <paramref name="stderr"/>. Returns 0 on success, 2 on bad arguments, 1 on failure.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        string? dataset = null, report = null, split = "test", outDir = null, embedderName = null;
        int threads = 0;
        var modes = new List<RetrievalMode>();
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
                        modes.Clear();
                        foreach (var name in Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        {
                            modes.Add(name.ToLowerInvariant() switch
                            {
                                "bm25" => RetrievalMode.Bm25,
                                "dense" => RetrievalMode.Dense,
                                "hybrid" => RetrievalMode.Hybrid,
                                var v => throw new ArgumentException($"--retriever must be bm25, dense or hybrid (or several, comma-separated), not '{v}'."),
                            });
                        }

                        break;
                    case "--embedder": embedderName = Next(); break;
                    case "--threads": threads = CliEmbedders.ParseThreads(Next(), "--threads", 0); break;
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

            if (modes.Count == 0)
            {
                modes.Add(settings.Retriever);
            }

            modes = modes.Distinct().ToList();
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
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or FaissNativeLibraryException or FaissException)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return 1;
        }
        catch (Rag.Onnx.Embeddings.OnnxModelException e)
        {
            await stderr.WriteLineAsync("rag: error: " + e.Message).ConfigureAwait(false);
            return 2;
        }
    }

    private static string WithSuffix(string path, RetrievalMode mode) =>
        Path.Combine(Path.GetDirectoryName(path) ?? string.Empty, $"{Path.GetFileNameWithoutExtension(path)}.{mode.ToString().ToLowerInvariant()}{Path.GetExtension(path)}");

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
