using System.CommandLine;
using Microsoft.Extensions.Logging;
using Rag.Core.Answering;
using Rag.Core.Storage;
using Rag.Host.Answering;

namespace Rag.Host.Cli;

/// <summary><c>rag ask "QUESTION" [--index DIR] [--model PATH] [--extractive]</c>: hybrid retrieval, then a streamed answer with sources.</summary>
internal static class AskCommand
{
    public static Command Create(CliContext context)
    {
        var question = new Argument<string>("question") { Description = "The question." };
        var index = new Option<string>("--index") { Description = "Index directory.", DefaultValueFactory = _ => Path.Combine(".rag", "index") };
        var model = new Option<string?>("--model") { Description = $"Chat model GGUF (default: ${RagSession.ChatModelVariable}, then ./models or ../shared/models/{RagSession.DefaultChatModelFile})." };
        var sources = new Option<int>("--sources") { Description = "Sources given to the model.", DefaultValueFactory = _ => 3 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most answer tokens.", DefaultValueFactory = _ => 96 };
        var threads = new Option<int>("--threads") { Description = "llama.cpp threads.", DefaultValueFactory = _ => 1 };
        var embedder = new Option<string?>(CliEmbedders.OptionName) { Description = CliEmbedders.Help + " Default: the built-in model the index was built with." };
        var extractive = new Option<bool>("--extractive") { Description = "Answer with the source sentences that best support the question (MiniLM + BM25), no generation." };
        var command = new Command("ask", "Answer a question from an index, citing numbered sources.") { question, index, model, sources, maxTokens, threads, embedder, extractive };
        command.SetAction(async (parse, ct) =>
        {
            using var loggers = context.CreateLoggerFactory(LogLevel.Warning);
            try
            {
                await using var session = RagSession.Open(parse.GetValue(index)!, parse.GetValue(model), parse.GetValue(threads), loggers, parse.GetValue(embedder));
                var options = new AnswerOptions { MaxSources = parse.GetValue(sources), MaxOutputTokens = parse.GetValue(maxTokens), MaxSourceCharacters = 400 };
                await AnswerPrinter.AskAsync(session, parse.GetValue(question)!, options, context.Out, ct, extractiveOnly: parse.GetValue(extractive)).ConfigureAwait(false);
                return 0;
            }
            catch (Exception ex) when (ex is IndexSettingsMismatchException or NotAnIndexException)
            {
                // The index was built with another embedder/analyzer, or the folder is not an index: the message says how to fix it.
                await context.Error.WriteLineAsync($"rag: error: {ex.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        return command;
    }
}
