using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rag.Core.Answering;
using Rag.Core.Documents;
using Rag.Core.Retrieval;
using Rag.Core.Storage;
using Rag.Ingest.Pipeline;
using Rag.Model.Chat;
using Rag.Model.Lora;
using Rag.Model.Serving;
using Rag.Onnx.Embeddings;
using Rag.Samples;
using Spectre.Console;

namespace Rag.ChatConsole;

/// <summary>
/// A chat over one index, composed through <c>AddRag(configuration)</c> like any app: questions get streamed answers
/// with numbered sources (title and section); slash commands manage the index and the session. Ctrl-C cancels the
/// answer being written, not the console; <c>/quit</c>, <c>exit</c> or Ctrl-D leave it.
/// </summary>
public static class ChatApp
{
    /// <summary>The index used when none is given: the one <c>rag ingest</c> writes by default.</summary>
    public static readonly string DefaultIndex = Path.Combine(".rag", "index");

    private static readonly (string Command, string Help)[] Commands =
    [
        ("/ingest PATH", "add files or folders to the index (unchanged files are skipped)"),
        ("/sources", "list the documents in the index"),
        ("/adapter NAME|none", "answer with a LoRA adapter (a GGUF adapter file), or without one"),
        ("/agent react|pal", "answer with an agent"),
        ("/history", "list the questions of this session"),
        ("/help", "this list"),
        ("/quit", "leave (also exit, or Ctrl-D)"),
    ];

    /// <summary>
    /// Runs the console until <c>/quit</c> or end of input. <paramref name="args"/>: an optional index folder, then
    /// configuration as <c>--Rag:Section:Key=Value</c>. Returns 0 on a normal exit, 2 on a usage error (one line on
    /// stderr, prefixed with <paramref name="program"/>), 1 on a runtime failure.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, string program)
    {
        ArgumentNullException.ThrowIfNull(args);
        var positional = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        if (positional.Length > 1)
        {
            return UsageError(program, $"unexpected argument '{positional[1]}'", "give one index folder, then --Rag:Section:Key=Value settings");
        }

        var indexDir = Path.GetFullPath(positional.Length == 1 ? positional[0] : DefaultIndex);
        if (!Directory.Exists(indexDir))
        {
            return UsageError(program, $"no index folder '{indexDir}'",
                $"build one with: rag ingest PATH... --index {indexDir}; or create the empty folder and use /ingest PATH in the chat");
        }

        if (!IndexStore.Exists(indexDir) && Directory.EnumerateFileSystemEntries(indexDir).Any())
        {
            return UsageError(program, $"'{indexDir}' is not a Rag index and not empty", "give an index folder, or an empty folder to start a new index");
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Rag:Index:Directory"] = indexDir,
                ["Rag:Model:Embedding:Threads"] = "1",
                ["Rag:Retrieval:TopK"] = "3",
                ["Rag:Answer:MaxSources"] = "3",
                ["Rag:Answer:MaxSourceCharacters"] = "400",
                ["Rag:Answer:MaxOutputTokens"] = "128",
            })
            .AddEnvironmentVariables()
            .AddCommandLine(args.Skip(positional.Length).ToArray())
            .Build();

        ServiceProvider provider;
        ChatSession session;
        try
        {
            var services = new ServiceCollection();
            var rag = services.AddRag(configuration);
            // Query with the embedder the index was built with (`rag ingest` defaults to MiniLM; `--embedder hashing` is
            // for tests); a new index gets MiniLM, or what Rag:Model:Embedding:Model says.
            if (BuiltWithHashing(indexDir))
            {
                rag.AddHashingEmbeddings();
            }
            else
            {
                rag.AddOnnxEmbeddings(o => o.Model = BuiltInModelOf(indexDir) ?? o.Model);
            }

            rag.AddIngestion()
                .AddAnswerer()
                .AddChatModel();
            provider = services.BuildServiceProvider();
            session = new ChatSession(provider);
        }
        catch (FileNotFoundException ex)
        {
            return UsageError(program, ex.Message, "set --Rag:Model:Chat:ModelPath=FILE.gguf or $RAG_CHAT_MODEL");
        }

        await using (provider.ConfigureAwait(false))
        {
            try
            {
                return await session.RunAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                await Console.Error.WriteLineAsync($"{program}: error: {ex.Message}").ConfigureAwait(false);
                return 1;
            }
        }
    }

    private static bool BuiltWithHashing(string indexDir) =>
        BuiltEmbedderId(indexDir)?.StartsWith("hashing-", StringComparison.Ordinal) == true;

    private static string? BuiltInModelOf(string indexDir) =>
        BuiltEmbedderId(indexDir) is { } id ? OnnxEmbeddingModel.Catalog.FirstOrDefault(c => c.Value.ModelId == id).Key : null;

    private static string? BuiltEmbedderId(string indexDir)
    {
        if (!IndexStore.Exists(indexDir))
        {
            return null;
        }

        using var store = IndexStore.Open(new IndexStoreOptions { Directory = indexDir });
        return store.Manifest.Embedder?.ModelId;
    }

    private static int UsageError(string program, string what, string how)
    {
        Console.Error.WriteLine($"{program}: error: {what} ({how})");
        return 2;
    }

    private sealed class ChatSession(IServiceProvider services)
    {
        private readonly List<string> _history = [];
        private readonly Lock _sync = new();
        private RagAnswerer _answerer = services.GetRequiredService<RagAnswerer>();
        private string _adapter = "none";
        private CancellationTokenSource? _answering;

        public async Task<int> RunAsync()
        {
            var store = services.GetRequiredService<IndexStore>();
            var retriever = services.GetRequiredService<IRetriever>();
            var chat = services.GetRequiredService<IChatClient>();
            var model = chat.GetService<ChatClientMetadata>()?.DefaultModelId ?? "chat model";
            using (var snapshot = store.AcquireSnapshot())
            {
                AnsiConsole.MarkupLine($"[bold]Rag chat[/]: index [blue]{Markup.Escape(store.Directory)}[/] ({snapshot.Documents.Count} documents, " +
                    $"{snapshot.Manifest.ChunkCount} chunks), model [blue]{Markup.Escape(model)}[/].");
            }

            AnsiConsole.MarkupLine("Ask a question, or type [green]/help[/]. Ctrl-C stops an answer; [green]/quit[/] or Ctrl-D leaves.");
            Console.CancelKeyPress += OnCancelKey;
            try
            {
                while (true)
                {
                    AnsiConsole.Markup("[green]>[/] ");
                    var line = Console.ReadLine();
                    if (line is null)
                    {
                        AnsiConsole.WriteLine();
                        return 0; // Ctrl-D
                    }

                    line = line.Trim();
                    if (line.Length == 0)
                    {
                        continue;
                    }

                    if (line is "/quit" or "/exit" or "exit" or "quit")
                    {
                        return 0;
                    }

                    if (line.StartsWith('/'))
                    {
                        await CommandAsync(line, store).ConfigureAwait(false);
                        continue;
                    }

                    _history.Add(line);
                    await AnswerAsync(line, retriever).ConfigureAwait(false);
                }
            }
            finally
            {
                Console.CancelKeyPress -= OnCancelKey;
            }
        }

        private void OnCancelKey(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true; // never end the process here
            lock (_sync)
            {
                if (_answering is { } answering)
                {
                    answering.Cancel();
                    return;
                }
            }

            AnsiConsole.MarkupLine("\n[grey](type /quit or press Ctrl-D to leave)[/]");
            AnsiConsole.Markup("[green]>[/] ");
        }

        private async Task AnswerAsync(string question, IRetriever retriever)
        {
            using var cts = new CancellationTokenSource();
            lock (_sync)
            {
                _answering = cts;
            }

            var text = new StringBuilder();
            IReadOnlyList<AnswerSource> sources = [];
            try
            {
                var hits = await retriever.RetrieveAsync(question, cancellationToken: cts.Token).ConfigureAwait(false);
                sources = _answerer.SelectSources(hits.Select(h => (h.Chunk, (float)h.Score)));
                if (sources.Count == 0)
                {
                    AnsiConsole.MarkupLine("[yellow]No source in the index matches; the answer is the model's alone.[/]");
                }

                await foreach (var delta in _answerer.StreamAsync(question, sources, cts.Token).ConfigureAwait(false))
                {
                    text.Append(delta.Text);
                    AnsiConsole.Write(new Text(delta.Text));
                }

                AnsiConsole.WriteLine();
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                AnsiConsole.MarkupLine("\n[yellow](answer stopped)[/]");
            }
            catch (Exception ex) when (ex is IndexSettingsMismatchException or InvalidOperationException or LlamaSchedulerOverloadedException)
            {
                AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(ex.Message)}");
                return;
            }
            finally
            {
                lock (_sync)
                {
                    _answering = null;
                }
            }

            PrintSources(sources, RagAnswerer.ExtractCitations(text.ToString(), sources.Count));
        }

        private static void PrintSources(IReadOnlyList<AnswerSource> sources, IReadOnlyList<int> cited)
        {
            if (sources.Count == 0)
            {
                return;
            }

            AnsiConsole.MarkupLine("[bold]Sources:[/]");
            foreach (var s in sources)
            {
                var line = $"[{s.Number}] {Describe(s.Chunk)}";
                AnsiConsole.MarkupLine(cited.Contains(s.Number) ? $"  [bold]{Markup.Escape(line)}[/] (cited)" : $"  {Markup.Escape(line)}");
            }
        }

        /// <summary>Title, then the section the chunk starts in, then the document: <c>Install &gt; Linux (installation.md)</c>.</summary>
        internal static string Describe(Chunk chunk)
        {
            var headings = chunk.HeadingPath.Count > 0 && chunk.HeadingPath[0] == chunk.Title ? chunk.HeadingPath.Skip(1) : chunk.HeadingPath;
            var parts = new[] { chunk.Title ?? chunk.DocumentId }.Concat(headings);
            return $"{string.Join(" > ", parts)} ({chunk.DocumentId})";
        }

        private async Task CommandAsync(string line, IndexStore store)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var name = space < 0 ? line : line[..space];
            var argument = space < 0 ? "" : line[(space + 1)..].Trim();
            switch (name)
            {
                case "/help":
                    var table = new Table().AddColumn("Command").AddColumn("What it does");
                    foreach (var (command, help) in Commands)
                    {
                        table.AddRow(Markup.Escape(command), Markup.Escape(help));
                    }

                    AnsiConsole.Write(table);
                    break;
                case "/history":
                    for (int i = 0; i < _history.Count; i++)
                    {
                        AnsiConsole.MarkupLine($"{i + 1,3}  {Markup.Escape(_history[i])}");
                    }

                    break;
                case "/sources":
                    ListDocuments(store);
                    break;
                case "/ingest":
                    await IngestAsync(argument).ConfigureAwait(false);
                    break;
                case "/adapter":
                    UseAdapter(argument);
                    break;
                case "/agent":
                    AnsiConsole.MarkupLine(argument is "react" or "pal"
                        ? $"[yellow]/agent {argument}: not available.[/] The ReAct and PAL agents are not part of this build yet; questions are answered by retrieval and the chat model."
                        : "[red]usage:[/] /agent react|pal");
                    break;
                default:
                    AnsiConsole.MarkupLine($"[red]unknown command[/] {Markup.Escape(name)} (type /help)");
                    break;
            }
        }

        private static void ListDocuments(IndexStore store)
        {
            using var snapshot = store.AcquireSnapshot();
            if (snapshot.Documents.Count == 0)
            {
                AnsiConsole.MarkupLine("The index is empty: add documents with [green]/ingest PATH[/].");
                return;
            }

            var table = new Table().AddColumn("Document").AddColumn(new TableColumn("Chunks").RightAligned()).AddColumn("Source");
            foreach (var d in snapshot.Documents.OrderBy(d => d.Id, StringComparer.Ordinal))
            {
                table.AddRow(Markup.Escape(d.Id), d.ChunkCount.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(d.Source ?? ""));
            }

            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"{snapshot.Documents.Count} documents, {snapshot.Manifest.ChunkCount} chunks (generation {snapshot.Generation}).");
        }

        private async Task IngestAsync(string path)
        {
            if (path.Length == 0)
            {
                AnsiConsole.MarkupLine("[red]usage:[/] /ingest PATH");
                return;
            }

            var full = Path.GetFullPath(path);
            if (!File.Exists(full) && !Directory.Exists(full))
            {
                AnsiConsole.MarkupLine($"[red]error:[/] no file or folder '{Markup.Escape(full)}'");
                return;
            }

            var counts = new Dictionary<IngestStatus, int>();
            string? firstError = null;
            try
            {
                await AnsiConsole.Status().StartAsync($"ingesting {Markup.Escape(full)}", async ctx =>
                {
                    await foreach (var r in services.GetRequiredService<IngestionPipeline>().IngestPathsAsync([full]).ConfigureAwait(false))
                    {
                        counts[r.Status] = counts.GetValueOrDefault(r.Status) + 1;
                        firstError ??= r.Error is null ? null : $"{r.DocumentId}: {r.Error}";
                        ctx.Status($"ingesting {Markup.Escape(full)}: {counts.Values.Sum()} documents");
                    }
                }).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IndexSettingsMismatchException or IndexLockedException or InvalidOperationException or IOException)
            {
                AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(ex.Message)}");
                return;
            }

            AnsiConsole.MarkupLine("ingested: " + (counts.Count == 0 ? "no documents" :
                string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Value} {c.Key.ToString().ToLowerInvariant()}"))));
            if (firstError is not null)
            {
                AnsiConsole.MarkupLine($"[yellow]first failure:[/] {Markup.Escape(firstError)}");
            }
        }

        private void UseAdapter(string name)
        {
            if (name.Length == 0)
            {
                AnsiConsole.MarkupLine($"adapter: [blue]{Markup.Escape(_adapter)}[/] (usage: /adapter FILE.gguf|none)");
                return;
            }

            var scheduler = services.GetService<LlamaBatchScheduler>();
            if (scheduler is null)
            {
                AnsiConsole.MarkupLine("[yellow]/adapter: not available[/]: the chat model is not a llama.cpp model served here.");
                return;
            }

            var options = services.GetRequiredService<IOptions<AnswerOptions>>().Value;
            if (name == "none")
            {
                _answerer = services.GetRequiredService<RagAnswerer>();
                _adapter = "none";
                AnsiConsole.MarkupLine("adapter: none (base model)");
                return;
            }

            var path = Path.GetFullPath(File.Exists(name) || !File.Exists(name + ".gguf") ? name : name + ".gguf");
            if (!File.Exists(path))
            {
                AnsiConsole.MarkupLine($"[red]error:[/] no adapter file '{Markup.Escape(path)}' (give the path of a GGUF LoRA adapter)");
                return;
            }

            try
            {
                // The adapter lives as long as the session; the scheduler applies it to this client's requests only.
                var adapter = LlamaLoraAdapter.Load(scheduler.Model, path);
                var client = new LlamaChatClient(scheduler, new LlamaChatClientOptions { DefaultTemperature = 0, Adapters = LoraAdapterSet.Of(adapter) }, ownsScheduler: false);
                _answerer = new RagAnswerer(client, options);
                _adapter = Path.GetFileName(path);
                AnsiConsole.MarkupLine($"adapter: [blue]{Markup.Escape(_adapter)}[/]");
            }
            catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or IOException or ArgumentException)
            {
                AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(ex.Message)}");
            }
        }
    }
}
