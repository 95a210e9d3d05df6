using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Rag.Core.Answering;
using Rag.Core.Configuration;
using Rag.Core.Documents;
using Rag.Core.Embeddings;
using Rag.Core.Retrieval;
using Rag.Core.Storage;
using Rag.Model;
using Rag.Model.Chat;
using Rag.Model.Inference;
using Rag.Model.Native;
using Rag.Model.Serving;
using Rag.Onnx.Embeddings;

namespace Rag.Host.Answering;

/// <summary>
/// An open index store, a hybrid retriever over it, and a chat model: everything <c>ask</c> and <c>demo</c> need.
/// </summary>
internal sealed class RagSession : IAsyncDisposable
{
    /// <summary>The default chat model when none is configured: the tiny TinyStories model in <c>../shared/models</c>.</summary>
    public const string DefaultChatModelFile = "stories260K-llama-f32.gguf";

    /// <summary>Environment variable naming the chat model file.</summary>
    public const string ChatModelVariable = LlamaModelOptions.ChatModelEnvironmentVariable;

    private readonly IndexStore _store;
    private readonly LlamaModel _model;
    private readonly LlamaBatchScheduler _scheduler;
    private ITokenCounter? _tokenCounter;
    private OnnxEmbeddingGenerator? _sentenceEmbedder;

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

    /// <summary>The chat model's tokenizer, for the answerer's prompt budget.</summary>
    public ITokenCounter TokenCounter => _tokenCounter ??= new LlamaTokenCounter(_model);

    /// <summary>True when the chat model ships a chat template (is instruction-tuned); false for stories260K.</summary>
    public bool HasChatTemplate => !string.IsNullOrEmpty(_model.Metadata.ChatTemplate);

    /// <summary>all-MiniLM-L6-v2, loaded on first use: answer relevance and extractive sentence ranking.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> SentenceEmbedder =>
        _sentenceEmbedder ??= new OnnxEmbeddingGenerator(OnnxEmbeddingModel.MiniLm, new OnnxEmbeddingOptions { Threads = 1 });

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
        _sentenceEmbedder?.Dispose();
        Chat.Dispose();
        await _scheduler.DisposeAsync().ConfigureAwait(false);
        _model.Dispose();
        _store.Dispose();
    }
}
