using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Rag.Host.Answering;

namespace Rag.Host.Cli;

/// <summary><c>rag ask "QUESTION" [--index DIR] [--model PATH] [--extractive]</c>: hybrid retrieval, then a streamed answer with sources.</summary>
internal static class AskCommand
{
    public static Command Create(CliContext context)
    {
        var question = new Argument<string>("question") { Description = "The question." };
        var (index, model, threads) = ModelOptions();
        var sources = CliOptions.OptionalInt("--sources", $"Sources given to the model (default: Rag:Answer:MaxSources, else {CliConfiguration.DefaultOf("Rag:Answer:MaxSources")}).", 1, 100);
        var maxTokens = CliOptions.OptionalInt("--max-tokens", $"Most answer tokens (default: Rag:Answer:MaxOutputTokens, else {CliConfiguration.DefaultOf("Rag:Answer:MaxOutputTokens")}).", 1, 1_000_000);
        var embedder = new Option<string?>(CliEmbedders.OptionName) { Description = CliEmbedders.Help + " Default: the built-in model the index was built with." };
        var extractive = new Option<bool>("--extractive") { Description = "Answer with the source sentences that best support the question (MiniLM + BM25), no generation." };
        var command = new Command("ask", "Answer a question from an index, citing numbered sources.") { question, index, model, sources, maxTokens, threads, embedder, extractive };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(new Dictionary<string, string?>
            {
                [CliConfiguration.IndexKey] = parse.GetValue(index),
                [CliConfiguration.ChatModelKey] = parse.GetValue(model),
                [CliConfiguration.ChatThreadsKey] = Text(parse.GetValue(threads)),
                ["Rag:Answer:MaxSources"] = Text(parse.GetValue(sources)),
                ["Rag:Answer:MaxOutputTokens"] = Text(parse.GetValue(maxTokens)),
            });
            using var loggers = context.CreateLoggerFactory(LogLevel.Warning);
            await using var session = RagSession.Open(configuration, loggers, parse.GetValue(embedder));
            await AnswerPrinter.AskAsync(session, parse.GetValue(question)!, session.AnswerOptions, context.Out, ct, extractiveOnly: parse.GetValue(extractive)).ConfigureAwait(false);
            return 0;
        });
        command.Validators.Add(r =>
        {
            if (string.IsNullOrWhiteSpace(r.GetValue(question)))
            {
                r.AddError("the question must not be empty");
            }
        });
        return command;
    }

    /// <summary>The options <c>ask</c> and <c>demo</c> share: <c>--index</c>, <c>--model</c>, <c>--threads</c>, all defaulting to configuration.</summary>
    internal static (Option<string?> Index, Option<string?> Model, Option<int?> Threads) ModelOptions(string defaultIndex = ".rag/index") =>
    (
        new Option<string?>("--index") { Description = $"Index folder (default: Rag:Index:Directory, else {defaultIndex})." },
        CliOptions.OptionalExistingFile("--model", $"Chat model GGUF (default: Rag:Model:Chat:ModelPath, else $RAG_CHAT_MODEL, else {CliConfiguration.DefaultChatModelFile} in ./models or ../shared/models)."),
        CliOptions.OptionalInt("--threads", $"llama.cpp threads (default: Rag:Model:Chat:Threads, else {CliConfiguration.DefaultOf(CliConfiguration.ChatThreadsKey)}).", 1, 1024)
    );

    internal static string? Text(int? value) => value?.ToString(CultureInfo.InvariantCulture);
}
