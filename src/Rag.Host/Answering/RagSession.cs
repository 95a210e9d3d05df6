using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Rag.Core.Answering;
using Rag.Core.Configuration;
using Rag.Core.Embeddings;
using Rag.Core.Retrieval;
using Rag.Core.Storage;
using Rag.Model;
using Rag.Model.Chat;
using Rag.Model.Native;
using Rag.Model.Serving;

namespace Rag.Host.Answering;

/// <summary>
/// An open index store, a hybrid retriever over it, and a chat model: everything <c>ask</c> and <c>demo</c> need.
/// </summary>
internal sealed class RagSession : IAsyncDisposable
{
    /// <summary>The default chat model when none is configured: the tiny TinyStories model in <c>../shared/models</c>.</summary>
    public const string DefaultChatModelFile = "stories260K-llama-f32.gguf";

    /// <summary>Environment variable naming the chat model file.</summary>
    public const string ChatModelVariable = "RAG_CHAT_MODEL";

    private readonly IndexStore _store;
    private readonly LlamaModel _model;
    private readonly LlamaBatchScheduler _scheduler;

    private RagSession(IndexStore store, IRetriever retriever, LlamaModel model, LlamaBatchScheduler scheduler, IChatClient chat)
    {
        _store = store;
        Retriever = retriever;
        _model = model;
        _scheduler = scheduler;
        Chat = chat;
    }

    public IRetriever Retriever { get; }

    public IChatClient Chat { get; }

    public string ModelPath => _model.Path;

    public IndexStore Store => _store;

    public static RagSession Open(string indexDirectory, string? chatModelPath, int threads, ILoggerFactory loggers)
    {
        var modelPath = RagPaths.ResolveModel(chatModelPath, ChatModelVariable, DefaultChatModelFile);
        if (!IndexStore.Exists(indexDirectory))
        {
            throw new DirectoryNotFoundException($"no index at '{indexDirectory}'. Build one first: rag ingest PATH... --index {indexDirectory}");
        }

        var store = IndexStore.Open(new IndexStoreOptions { Directory = indexDirectory }, loggers);
        try
        {
            // The CLI indexes with the hashing embedder (see CliCommands.CreateIngestCommand), so it queries with it too;
            // the store checks that the index was built with it.
            var retriever = new HybridRetriever(store, new HashingEmbeddingGenerator(), logger: loggers.CreateLogger<HybridRetriever>());
            LlamaBackend.Initialize(new LlamaBackendOptions { NativeLogLevel = LogLevel.Error }, loggers.CreateLogger("Rag.Model.LlamaBackend"));
            var model = LlamaModel.Load(modelPath, logger: loggers.CreateLogger<LlamaModel>());
            var scheduler = new LlamaBatchScheduler(model, new LlamaSchedulerOptions { Threads = threads, ContextSize = 2048, MaxSequences = 4 },
                loggers.CreateLogger<LlamaBatchScheduler>());
            var chat = new LlamaChatClient(scheduler, new LlamaChatClientOptions { DefaultTemperature = 0 }, logger: loggers.CreateLogger<LlamaChatClient>());
            return new RagSession(store, retriever, model, scheduler, chat);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Chat.Dispose();
        await _scheduler.DisposeAsync().ConfigureAwait(false);
        _model.Dispose();
        _store.Dispose();
    }
}
