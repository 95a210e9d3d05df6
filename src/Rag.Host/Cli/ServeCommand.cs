using System.CommandLine;
using System.Globalization;
using Rag.Server;

namespace Rag.Host.Cli;

/// <summary>
/// <c>rag serve --urls URL [--model PATH] [--data-dir DIR] [--embedder NAME|PATH] [--threads N] [--watch DIR]... [--allow-root DIR]...</c>: the
/// worker service and HTTP API in one process (see <see cref="RagServer"/>). Any further <c>--Rag:Section:Key=value</c>
/// words are configuration. Stops gracefully on SIGTERM or Ctrl-C; under systemd it reports readiness to the manager.
/// </summary>
internal static class ServeCommand
{
    /// <summary>How long a graceful stop may take before the process is ended anyway (the host's own limit is 30 s).</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(40);

    public static Command Create(CliContext context)
    {
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on, separated by ';'.", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var model = new Option<string?>("--model") { Description = "Chat model GGUF (default: $RAG_CHAT_MODEL, then ./models or ../shared/models/stories260K-llama-f32.gguf)." };
        var embedding = new Option<string?>(CliEmbedders.OptionName) { Description = CliEmbedders.Help + " A .gguf path is served by llama.cpp." };
        var dataDir = new Option<string>("--data-dir") { Description = "Data folder; the index lives in DIR/index.", DefaultValueFactory = _ => ".rag" };
        var threads = new Option<int?>("--threads") { Description = "llama.cpp decode threads." };
        var watch = new Option<string[]>("--watch") { Description = "A folder to keep ingested (repeatable).", AllowMultipleArgumentsPerToken = false };
        var allow = new Option<string[]>("--allow-root") { Description = "A folder /api/ingest may read paths from (repeatable)." };
        var command = new Command("serve", "Run the worker service and the OpenAI-compatible + Rag HTTP API.")
        {
            urls, model, embedding, dataDir, threads, watch, allow,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var args = new List<string> { "--urls", parse.GetValue(urls)! };
            void Set(string key, string? value)
            {
                if (!string.IsNullOrWhiteSpace(value))
                {
                    args.Add($"--Rag:{key}={value}");
                }
            }

            Set("Model:Chat:Path", parse.GetValue(model) is { } m ? Path.GetFullPath(m) : null);
            if (parse.GetValue(embedding) is { Length: > 0 } e)
            {
                if (e.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
                {
                    Set("Model:Embedding:Path", Path.GetFullPath(e));
                }
                else
                {
                    Set("Model:Embedding:Model", File.Exists(e) ? Path.GetFullPath(e) : e);
                }
            }

            Set("Index:Directory", Path.GetFullPath(Path.Combine(parse.GetValue(dataDir)!, "index")));
            Set("Model:Chat:Scheduler:Threads", parse.GetValue(threads)?.ToString(CultureInfo.InvariantCulture));
            var i = 0;
            foreach (var w in parse.GetValue(watch) ?? [])
            {
                Set($"Server:WatchFolders:{i++}", Path.GetFullPath(w));
            }

            i = 0;
            foreach (var r in parse.GetValue(allow) ?? [])
            {
                Set($"Server:AllowedRoots:{i++}", Path.GetFullPath(r));
            }

            args.AddRange(parse.UnmatchedTokens);
            var app = RagServer.Build([.. args]);
            await using (app.ConfigureAwait(false))
            {
                // SIGTERM and Ctrl-C stop the host gracefully (the worker rolls back its batch in flight), then exit 0.
                await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.RunAsync(app, ct).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }
}
