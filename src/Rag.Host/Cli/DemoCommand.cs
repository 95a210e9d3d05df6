using System.CommandLine;
using Microsoft.Extensions.Logging;
using Rag.Core.Configuration;
using Rag.Core.Embeddings;
using Rag.Core.Storage;
using Rag.Host.Answering;

namespace Rag.Host.Cli;

/// <summary><c>rag demo</c>: ingest the sample documents, then answer one question with sources.</summary>
internal static class DemoCommand
{
    public const string DefaultQuestion = "How long does Driftwood keep daily snapshots?";

    private static readonly string DefaultIndex = Path.Combine(".rag", "demo-index");

    public static Command Create(CliContext context)
    {
        var question = new Option<string>("--question") { Description = "The question to answer.", DefaultValueFactory = _ => DefaultQuestion };
        var (_, model, threads) = AskCommand.ModelOptions();
        var index = new Option<string>("--index") { Description = "Where the demo index goes.", DefaultValueFactory = _ => DefaultIndex };
        var data = new Option<string?>("--data") { Description = "Documents to ingest (default: samples/data, searched upward from the working directory)." };
        data.Validators.Add(r =>
        {
            if (CliOptions.Value<string?>(r) is { } d && !Directory.Exists(d))
            {
                r.AddError($"--data: folder not found: {d}");
            }
        });
        var embedderOption = new Option<string?>(CliEmbedders.OptionName) { Description = CliEmbedders.Help };
        var command = new Command("demo", "Ingest samples/data, then answer a question with citations.") { question, model, index, data, threads, embedderOption };
        command.SetAction(async (parse, ct) =>
        {
            var dataDir = parse.GetValue(data) ?? RagPaths.FindUpward(Path.Combine("samples", "data"))
                ?? throw new CliUsageException("samples/data not found", "run the demo from the repository, or pass --data DIR");
            var indexDir = parse.GetValue(index)!;
            var configuration = CliConfiguration.Build(new Dictionary<string, string?>
            {
                [CliConfiguration.IndexKey] = indexDir,
                [CliConfiguration.ChatModelKey] = parse.GetValue(model),
                [CliConfiguration.ChatThreadsKey] = AskCommand.Text(parse.GetValue(threads)),
            });

            using (var validationLoggers = context.CreateLoggerFactory(LogLevel.Warning))
            {
                RagSession.Validate(configuration, validationLoggers);
            }

            string embedderName = parse.GetValue(embedderOption) ?? CliEmbedders.DefaultName;
            int code;
            using (var embedderLoggers = context.CreateLoggerFactory(LogLevel.Warning))
            using (var embedder = CliEmbedders.Create(embedderName, threads: 1, embedderLoggers))
            {
                await context.Out.WriteLineAsync($"Embeddings: {CliEmbedders.Describe(embedder)}").ConfigureAwait(false);
                var reindex = false;
                if (await BuiltWithOtherEmbedderAsync(indexDir, embedder, ct).ConfigureAwait(false) is { } previous)
                {
                    // The demo's own index: rebuild it rather than refuse, and say so.
                    await context.Out.WriteLineAsync($"Rebuilding {indexDir}: it was built with {previous}").ConfigureAwait(false);
                    reindex = true;
                }

                await context.Out.WriteLineAsync($"== Ingesting {dataDir} into {indexDir}").ConfigureAwait(false);
                code = await CliCommands.CreateIngestCommand(context, embedder)
                    .RunAsync(new IngestCommandArgs { Paths = [dataDir], IndexDirectory = indexDir, Reindex = reindex }, context.Out, context.Error, ct).ConfigureAwait(false);
            }

            if (code != 0)
            {
                return code;
            }

            await context.Out.WriteLineAsync().ConfigureAwait(false);
            await context.Out.WriteLineAsync("== Answering").ConfigureAwait(false);
            using var loggers = context.CreateLoggerFactory(LogLevel.Warning);
            await using var session = RagSession.Open(configuration, loggers, embedderName);
            if (Path.GetFileName(session.ModelPath) == RagSession.DefaultChatModelFile)
            {
                await context.Out.WriteLineAsync(
                    $"Using the default model {RagSession.DefaultChatModelFile}: a tiny TinyStories model, not instruction-tuned, so the answer " +
                    "will read like a children's story. Set Rag:Model:Chat:ModelPath (appsettings.json or Rag__Model__Chat__ModelPath) " +
                    "or --model to a GGUF chat model for real answers.").ConfigureAwait(false);
            }

            await AnswerPrinter.AskAsync(session, parse.GetValue(question)!, session.AnswerOptions, context.Out, ct).ConfigureAwait(false);
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
