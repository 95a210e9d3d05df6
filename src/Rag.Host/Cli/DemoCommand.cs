using System.CommandLine;
using Microsoft.Extensions.Logging;
using Rag.Core.Answering;
using Rag.Core.Configuration;
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
        var command = new Command("demo", "Ingest samples/data, then answer a question with citations.") { question, model, index, data };
        command.SetAction(async (parse, ct) =>
        {
            var dataDir = parse.GetValue(data) ?? RagPaths.FindUpward(Path.Combine("samples", "data"))
                ?? throw new DirectoryNotFoundException("samples/data not found: run the demo from the repository, or pass --data DIR");
            var indexDir = parse.GetValue(index)!;

            await context.Out.WriteLineAsync($"== Ingesting {dataDir} into {indexDir}").ConfigureAwait(false);
            var code = await CliCommands.CreateIngestCommand(context).RunAsync(new[] { dataDir, "--index", indexDir }, context.Out, context.Error, ct).ConfigureAwait(false);
            if (code != 0)
            {
                return code;
            }

            await context.Out.WriteLineAsync().ConfigureAwait(false);
            await context.Out.WriteLineAsync("== Answering").ConfigureAwait(false);
            using var loggers = context.CreateLoggerFactory(LogLevel.Warning);
            await using var session = RagSession.Open(indexDir, parse.GetValue(model), threads: 1, loggers);
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
}
