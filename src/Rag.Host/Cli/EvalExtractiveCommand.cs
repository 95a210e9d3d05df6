using System.CommandLine;
using Rag.Core.Configuration;
using Rag.Core.Evaluation.Suites;
using Rag.Onnx.Embeddings;

namespace Rag.Host.Cli;

/// <summary><c>rag eval extractive</c>: XQuAD English, share of questions whose best extractive sentence holds the gold answer.</summary>
internal static class EvalExtractiveCommand
{
    public static Command Create(CliContext context)
    {
        var dataset = new Option<string?>("--dataset") { Description = "SQuAD v1.1 JSON (default: shared/data/xquad_en/xquad.en.json)." };
        var limit = new Option<int?>("--limit") { Description = "Score only the first N questions." };
        var weight = new Option<double>("--semantic-weight") { Description = "Embedding weight of the hybrid ranker, 0..1.", DefaultValueFactory = _ => 0.5 };
        var threads = new Option<int>("--threads") { Description = "Embedder threads.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Report folder (JSON, markdown).", DefaultValueFactory = _ => Path.Combine(".rag", "eval", "extractive") };
        var command = new Command("extractive", "Extractive answers on XQuAD: best sentence contains the gold answer, MiniLM + BM25 next to BM25 alone.")
        {
            dataset, limit, weight, threads, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(dataset) ?? (RagPaths.SharedDirectory() is { } shared
                ? Path.Combine(shared, "data", "xquad_en", "xquad.en.json")
                : throw new FileNotFoundException("XQuAD not found: no shared/ folder (pass --dataset PATH or set RAG_SHARED_DIR)"));
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"data set not found: {path} (pass --dataset PATH)");
            }

            using var embedder = new OnnxEmbeddingGenerator(OnnxEmbeddingModel.MiniLm, new OnnxEmbeddingOptions { Threads = parse.GetValue(threads) });
            var progress = new CliProgress(context.Error);
            var report = await new ExtractiveQaSuite(embedder, "all-MiniLM-L6-v2 (ONNX)").RunAsync(
                new ExtractiveQaSuiteSettings { DatasetPath = path, Limit = parse.GetValue(limit), SemanticWeight = parse.GetValue(weight) }, progress, ct).ConfigureAwait(false);
            progress.Finish();
            return await EvalReportOutput.PublishAsync(context, report, parse.GetValue(output)!, ct).ConfigureAwait(false);
        });
        return command;
    }
}
