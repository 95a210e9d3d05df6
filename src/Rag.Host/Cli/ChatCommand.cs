using System.CommandLine;
using Rag.ChatConsole;

namespace Rag.Host.Cli;

/// <summary>
/// <c>rag chat [INDEX_DIR] [--model PATH] [--threads N] [--Rag:Section:Key=Value ...]</c>: the chat console
/// (samples/Rag.ChatConsole) over an index, in this process. It owns the terminal until <c>/quit</c> or Ctrl-D.
/// </summary>
internal static class ChatCommand
{
    public static Command Create()
    {
        var index = new Argument<string?>("index") { Description = $"Index folder (default {ChatApp.DefaultIndex}); an empty folder starts a new index.", Arity = ArgumentArity.ZeroOrOne };
        var model = new Option<string?>("--model") { Description = "Chat model GGUF (sets Rag:Model:Chat:ModelPath; default $RAG_CHAT_MODEL, then the stories260K test model)." };
        var threads = new Option<int?>("--threads") { Description = "llama.cpp threads (sets Rag:Model:Chat:Threads; default 1)." };
        var command = new Command("chat", "Chat with an index: streamed answers with sources, /ingest, /sources, /help.") { index, model, threads };
        command.TreatUnmatchedTokensAsErrors = false; // --Rag:Section:Key=Value settings pass through
        command.SetAction(async (parse, _) =>
        {
            var args = new List<string>();
            if (parse.GetValue(index) is { } dir)
            {
                args.Add(dir);
            }

            if (parse.GetValue(model) is { } m)
            {
                args.Add($"--Rag:Model:Chat:ModelPath={m}");
            }

            if (parse.GetValue(threads) is { } t)
            {
                args.Add($"--Rag:Model:Chat:Threads={t}");
            }

            args.AddRange(parse.UnmatchedTokens);
            return await ChatApp.RunAsync([.. args], "rag").ConfigureAwait(false);
        });
        return command;
    }
}
