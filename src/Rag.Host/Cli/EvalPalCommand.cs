using System.CommandLine;
using Microsoft.Extensions.Logging;
using Rag.Agents.Pal;
using Rag.Core.Configuration;
using Rag.Model;
using Rag.Model.Chat;
using Rag.Model.Native;
using Rag.Model.Serving;

namespace Rag.Host.Cli;

/// <summary><c>rag eval pal</c>: GSM8K through PAL end to end with a local GGUF chat model (default stories260K).</summary>
internal static class EvalPalCommand
{
    public static Command Create(CliContext context)
    {
        var dataset = new Option<string?>("--dataset") { Description = "GSM8K JSONL (default: shared/data/gsm8k/test.jsonl)." };
        var model = new Option<string?>("--model") { Description = "Chat model GGUF (default: $RAG_CHAT_MODEL, then stories260K)." };
        var limit = new Option<int?>("--limit") { Description = "Solve only the first N problems.", DefaultValueFactory = _ => 100 };
        var threads = new Option<int>("--threads") { Description = "llama.cpp threads.", DefaultValueFactory = _ => 1 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens per program.", DefaultValueFactory = _ => 256 };
        var output = new Option<string>("--out") { Description = "Report folder (JSON, markdown).", DefaultValueFactory = _ => Path.Combine(".rag", "eval", "pal") };
        var command = new Command("pal", "GSM8K through PAL: the model writes JavaScript, the sandbox runs it; accuracy.")
        {
            dataset, model, limit, threads, maxTokens, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(dataset) ?? (RagPaths.SharedDirectory() is { } shared
                ? Path.Combine(shared, "data", "gsm8k", "test.jsonl")
                : throw new FileNotFoundException("GSM8K not found: no shared/ folder (pass --dataset PATH or set RAG_SHARED_DIR)"));
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"data set not found: {path} (pass --dataset PATH)");
            }

            using var loggers = context.CreateLoggerFactory(LogLevel.Warning);
            var modelPath = RagPaths.ResolveModel(parse.GetValue(model) ?? CliConfiguration.Build()[CliConfiguration.ChatModelKey], null, CliConfiguration.DefaultChatModelFile);
            LlamaBackend.Initialize(new LlamaBackendOptions { NativeLogLevel = LogLevel.Error }, loggers.CreateLogger("Rag.Model.LlamaBackend"));
            using var llama = LlamaModel.Load(modelPath, logger: loggers.CreateLogger<LlamaModel>(), cancellationToken: ct);
            await using var scheduler = new LlamaBatchScheduler(llama, new LlamaSchedulerOptions { Threads = parse.GetValue(threads), ContextSize = 2048, MaxSequences = 1 },
                loggers.CreateLogger<LlamaBatchScheduler>());
            using var chat = new LlamaChatClient(scheduler, new LlamaChatClientOptions { DefaultTemperature = 0 }, logger: loggers.CreateLogger<LlamaChatClient>());
            var agent = new PalAgent(chat, new JintPalSandbox(), new PalAgentOptions { MaxOutputTokens = parse.GetValue(maxTokens) });
            var progress = new CliProgress(context.Error);
            var report = await new Gsm8kPalSuite(agent).RunAsync(
                new Gsm8kPalSuiteSettings { DatasetPath = path, Limit = parse.GetValue(limit), ModelName = Path.GetFileName(modelPath) }, progress, ct).ConfigureAwait(false);
            progress.Finish();
            return await EvalReportOutput.PublishAsync(context, report, parse.GetValue(output)!, ct).ConfigureAwait(false);
        });
        return command;
    }
}
