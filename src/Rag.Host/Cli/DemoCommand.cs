using System.CommandLine;
using Microsoft.Extensions.Logging;
using Rag.Core.Answering;
using Rag.Core.Configuration;
using Rag.Core.Embeddings;
using Rag.Core.Storage;
using Rag.Host.Answering;

namespace Rag.Host.Cli;

/// <summary><c>rag demo</c>: ingest the sample documents, then answer one question with sources.</summary>
internal static class DemoCommand
{
    public const string DefaultQuestion = "How long does Driftwood keep daily snapshots?";

    public static Command Create(CliContext context)
    {
        var question = new Option<string>("--question") { Description = "The question to answer.", DefaultValueFactory = _ => DefaultQuestion };
        var model = new Option<string?>("--model") { Description = "Chat model GGUF (default: the configured model, else stories260K)." };
        var index = new Option<string>("--index") { Description = "Where the demo index goes.", DefaultValueFactory = _ => Path.Combine(".rag", "demo-index") };
        var data = new Option<string?>("--data") { Description = "Documents to ingest (default: samples/data)." };
        var embedderOption = new Option<string?>(CliEmbedders.OptionName) { Description = CliEmbedders.Help };
        var command = new Command("demo", "Ingest samples/data, then answer a question with citations.") { question, model, index, data, embedderOption };
        command.SetAction(async (parse, ct) =>
        {
            var dataDir = parse.GetValue(data) ?? RagPaths.FindUpward(Path.Combine("samples", "data"))
                ?? throw new DirectoryNotFoundException("samples/data not found: run the demo from the repository, or pass --data DIR");
            var indexDir = parse.GetValue(index)!;
            string embedderName = parse.GetValue(embedderOption) ?? CliEmbedders.DefaultName;
            using var loggers = context.CreateLoggerFactory(LogLevel.Warning);

            int code;
            using (var embedder = CliEmbedders.Create(embedderName, threads: 1, loggers))
            {
                await context.Out.WriteLineAsync($"Embeddings: {CliEmbedders.Describe(embedder)}").ConfigureAwait(false);
                var ingestArgs = new List<string> { dataDir, "--index", indexDir };
                if (await BuiltWithOtherEmbedderAsync(indexDir, embedder, ct).ConfigureAwait(false) is { } previous)
                {
                    // The demo's own index: rebuild it rather than refuse, and say so.
                    await context.Out.WriteLineAsync($"Rebuilding {indexDir}: it was built with {previous}").ConfigureAwait(false);
                    ingestArgs.Add("--reindex");
                }

                await context.Out.WriteLineAsync($"== Ingesting {dataDir} into {indexDir}").ConfigureAwait(false);
                code = await CliCommands.CreateIngestCommand(context, embedder).RunAsync(ingestArgs, context.Out, context.Error, ct).ConfigureAwait(false);
            }

            if (code != 0)
            {
                return code;
            }

            await context.Out.WriteLineAsync().ConfigureAwait(false);
            await context.Out.WriteLineAsync("== Answering").ConfigureAwait(false);
            await using var session = RagSession.Open(indexDir, parse.GetValue(model), threads: 1, loggers, embedderName);
            if (Path.GetFileName(session.ModelPath) == RagSession.DefaultChatModelFile)
            {
                await context.Out.WriteLineAsync(
                    $"Using the default model {RagSession.DefaultChatModelFile}: a tiny TinyStories model, not instruction-tuned, so the answer " +
                    $"will read like a children's story. Set {RagSession.ChatModelVariable} or --model to a GGUF chat model for real answers.").ConfigureAwait(false);
            }

            var options = new AnswerOptions { MaxSources = 3, MaxSourceCharacters = 400, MaxOutputTokens = 96 };
            await AnswerPrinter.AskAsync(session, parse.GetValue(question)!, options, context.Out, ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>What the existing index at <paramref name="directory"/> was embedded with, when that is not <paramref name="embedder"/>; else null.</summary>
    private static async Task<string?> BuiltWithOtherEmbedderAsync(
        string directory, Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> embedder, CancellationToken ct)
    {
        if (!IndexStore.Exists(directory))
        {
            return null;
        }

        using var store = IndexStore.Open(new IndexStoreOptions { Directory = directory });
        var built = store.Manifest.Embedder;
        var wanted = await EmbedderIdentity.OfAsync(embedder, ct).ConfigureAwait(false);
        return built is not null && built != wanted ? built.ToString() : null;
    }
}
