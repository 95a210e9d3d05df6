using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Rag.Core.Configuration;
using Rag.Core.Embeddings;
using Rag.Core.Evaluation.Faithfulness;
using Rag.Core.Evaluation.Suites;
using Rag.Model;
using Rag.Model.Chat;
using Rag.Model.Native;
using Rag.Model.Serving;
using Rag.Onnx.Embeddings;

namespace Rag.Host.Cli;

/// <summary><c>rag eval faithfulness</c>: BEGIN, deterministic support next to two lexical baselines, optionally a judge.</summary>
internal static class EvalFaithfulnessCommand
{
    public static Command Create(CliContext context)
    {
        var dataset = new Option<string?>("--dataset") { Description = "BEGIN TSV file (default: shared/data/begin/begin_test_wow.tsv)." };
        var limit = new Option<int?>("--limit") { Description = "Score only the first N examples." };
        var output = new Option<string>("--out") { Description = "Report folder (JSON, markdown, PNG).", DefaultValueFactory = _ => Path.Combine(".rag", "eval", "faithfulness") };
        var embedder = new Option<string>("--embedder")
        {
            Description = "Sentence embedder for semantic support: minilm (all-MiniLM-L6-v2, ONNX), arctic-xs, none (lexical support only) " +
                "or hashing (test-only feature hashing).",
            DefaultValueFactory = _ => "minilm",
        };
        var semanticWeight = new Option<double?>("--semantic-weight") { Description = "Weight of semantic support, 0..1 (default 0.1 with an embedder)." };
        var judgeModel = new Option<string?>("--judge-model") { Description = "GGUF chat model for the judge variant (omit to skip the judge)." };
        var judgeLimit = new Option<int>("--judge-limit") { Description = "Examples the judge scores.", DefaultValueFactory = _ => 200 };
        var threads = new Option<int>("--threads") { Description = "Threads for the embedder and the judge.", DefaultValueFactory = _ => 1 };
        var command = new Command("faithfulness", "Faithfulness on BEGIN: ROC-AUC of the support metric, two lexical baselines and an optional judge.")
        {
            dataset, limit, output, embedder, semanticWeight, judgeModel, judgeLimit, threads,
        };
        command.SetAction(async (parse, ct) =>
        {
            string path = parse.GetValue(dataset) ?? DefaultDataset();
            using var loggers = context.CreateLoggerFactory(LogLevel.Warning);
            using IDisposable? sentenceEmbedderLifetime = parse.GetValue(embedder)!.ToLowerInvariant() switch
            {
                "none" => null,
                "hashing" => new HashingEmbeddingGenerator(),
                "minilm" => new OnnxEmbeddingGenerator(OnnxEmbeddingModel.MiniLm, new OnnxEmbeddingOptions { Threads = parse.GetValue(threads) }),
                "arctic-xs" => new OnnxEmbeddingGenerator(OnnxEmbeddingModel.ArcticXs, new OnnxEmbeddingOptions { Threads = parse.GetValue(threads) }),
                var other => throw new ArgumentException($"--embedder must be minilm, arctic-xs, none or hashing, not '{other}'"),
            };
            var sentenceEmbedder = (IEmbeddingGenerator<string, Embedding<float>>?)sentenceEmbedderLifetime;
            double weight = parse.GetValue(semanticWeight) ?? (sentenceEmbedder is null ? 0 : new SupportFaithfulnessOptions().SemanticWeight);
            var support = new SupportFaithfulnessEvaluator(new SupportFaithfulnessOptions { SemanticWeight = weight }, sentenceEmbedder);
            string embedderName = sentenceEmbedder is null ? "no embedder" : parse.GetValue(embedder) + " embedder";
            string description = string.Create(CultureInfo.InvariantCulture,
                $"support: lexical (stemmed content words) {1 - weight:0.##} + semantic {weight:0.##} ({embedderName})");

            await using var judge = parse.GetValue(judgeModel) is { } judgePath ? JudgeSession.Open(judgePath, parse.GetValue(threads), loggers) : null;
            var suite = new FaithfulnessSuite(support, judge?.Evaluator, description);
            var progress = new CliProgress(context.Error);
            var report = await suite.RunAsync(
                new FaithfulnessSuiteSettings { DatasetPath = path, Limit = parse.GetValue(limit), JudgeLimit = parse.GetValue(judgeLimit) }, progress, ct).ConfigureAwait(false);
            progress.Finish();
            return await EvalReportOutput.PublishAsync(context, report, parse.GetValue(output)!, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static string DefaultDataset() =>
        RagPaths.SharedDirectory() is { } shared
            ? Path.Combine(shared, "data", "begin", "begin_test_wow.tsv")
            : throw new FileNotFoundException("BEGIN not found: no shared/ folder (pass --dataset PATH or set RAG_SHARED_DIR)");

    /// <summary>A judge over a local GGUF model: backend, model, scheduler and chat client, disposed together.</summary>
    private sealed class JudgeSession : IAsyncDisposable
    {
        private readonly LlamaModel _model;
        private readonly LlamaBatchScheduler _scheduler;

        private JudgeSession(LlamaModel model, LlamaBatchScheduler scheduler, IChatClient chat, ILoggerFactory loggers)
        {
            _model = model;
            _scheduler = scheduler;
            Evaluator = new JudgeFaithfulnessEvaluator(chat, logger: loggers.CreateLogger<JudgeFaithfulnessEvaluator>());
        }

        public JudgeFaithfulnessEvaluator Evaluator { get; }

        public static JudgeSession Open(string modelPath, int threads, ILoggerFactory loggers)
        {
            LlamaBackend.Initialize(new LlamaBackendOptions { NativeLogLevel = LogLevel.Error }, loggers.CreateLogger("Rag.Model.LlamaBackend"));
            var model = LlamaModel.Load(RagPaths.ResolveModel(modelPath, null, Path.GetFileName(modelPath)), logger: loggers.CreateLogger<LlamaModel>());
            var scheduler = new LlamaBatchScheduler(model, new LlamaSchedulerOptions { Threads = threads, ContextSize = 2048, MaxSequences = 1 },
                loggers.CreateLogger<LlamaBatchScheduler>());
            var chat = new LlamaChatClient(scheduler, new LlamaChatClientOptions { DefaultTemperature = 0 }, logger: loggers.CreateLogger<LlamaChatClient>());
            return new JudgeSession(model, scheduler, chat, loggers);
        }

        public async ValueTask DisposeAsync()
        {
            await _scheduler.DisposeAsync().ConfigureAwait(false);
            _model.Dispose();
        }
    }
}
