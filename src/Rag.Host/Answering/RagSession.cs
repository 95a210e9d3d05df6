using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Rag.Core.Answering;
using Rag.Core.Configuration;
using Rag.Core.Documents;
using Rag.Core.Retrieval;
using Rag.Core.Storage;
using Rag.Host.Cli;
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

    private RagSession(
        IndexStore store, IEmbeddingGenerator<string, Embedding<float>> embedder, IRetriever retriever, LlamaModel model, LlamaBatchScheduler scheduler, IChatClient chat)
    {
        _store = store;
        Embedder = embedder;
        Retriever = retriever;
        _model = model;
        _scheduler = scheduler;
        Chat = chat;
    }

    public IRetriever Retriever { get; }

    /// <summary>The query embedder (owned by the session).</summary>
    public IEmbeddingGenerator<string, Embedding<float>> Embedder { get; }

    public IChatClient Chat { get; }

    public string ModelPath => _model.Path;

    public IndexStore Store => _store;

    /// <summary>The chat model's tokenizer, for the answerer's prompt budget.</summary>
    public ITokenCounter TokenCounter => _tokenCounter ??= new LlamaTokenCounter(_model);

    /// <summary>True when the chat model ships a chat template (is instruction-tuned); false for stories260K.</summary>
    public bool HasChatTemplate => !string.IsNullOrEmpty(_model.Metadata.ChatTemplate);

    /// <summary>all-MiniLM-L6-v2, loaded on first use: answer relevance and extractive sentence ranking.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> SentenceEmbedder =>
        Embedder is OnnxEmbeddingGenerator { Model.Name: OnnxEmbeddingModel.MiniLmName } minilm
            ? minilm
            : _sentenceEmbedder ??= new OnnxEmbeddingGenerator(OnnxEmbeddingModel.MiniLm, new OnnxEmbeddingOptions { Threads = 1 });

    /// <summary>
    /// Opens the index, its query embedder and the chat model. <paramref name="embedderName"/> null picks the built-in
    /// embedder the index was built with (MiniLM for a new default index); the store refuses any other.
    /// </summary>
    public static RagSession Open(string indexDirectory, string? chatModelPath, int threads, ILoggerFactory loggers, string? embedderName = null)
    {
        var modelPath = RagPaths.ResolveModel(chatModelPath, ChatModelVariable, DefaultChatModelFile);
        if (!IndexStore.Exists(indexDirectory))
        {
            throw new DirectoryNotFoundException($"no index at '{indexDirectory}'. Build one first: rag ingest PATH... --index {indexDirectory}");
        }

        var store = IndexStore.Open(new IndexStoreOptions { Directory = indexDirectory }, loggers);
        IEmbeddingGenerator<string, Embedding<float>>? embedder = null;
        try
        {
            // Queries are embedded by the model the index was built with (MiniLM by default); the store checks it.
            embedder = CliEmbedders.Create(embedderName ?? CliEmbedders.NameForIndex(store), threads, loggers);
            var retriever = new HybridRetriever(store, embedder, logger: loggers.CreateLogger<HybridRetriever>());
            LlamaBackend.Initialize(new LlamaBackendOptions { NativeLogLevel = LogLevel.Error }, loggers.CreateLogger("Rag.Model.LlamaBackend"));
            var model = LlamaModel.Load(modelPath, logger: loggers.CreateLogger<LlamaModel>());
            var scheduler = new LlamaBatchScheduler(model, new LlamaSchedulerOptions { Threads = threads, ContextSize = 2048, MaxSequences = 4 },
                loggers.CreateLogger<LlamaBatchScheduler>());
            var chat = new LlamaChatClient(scheduler, new LlamaChatClientOptions { DefaultTemperature = 0 }, logger: loggers.CreateLogger<LlamaChatClient>());
            return new RagSession(store, embedder, retriever, model, scheduler, chat);
        }
        catch
        {
            embedder?.Dispose();
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
        Embedder.Dispose();
        _store.Dispose();
    }
}
