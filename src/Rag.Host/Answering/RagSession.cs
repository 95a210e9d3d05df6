using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
/// The services <c>ask</c> and <c>demo</c> need, composed through <c>services.AddRag(configuration)</c>: the index store
/// and a hybrid retriever over it, and the chat model.
/// </summary>
internal sealed class RagSession : IAsyncDisposable
{
    /// <summary>The default chat model when none is configured.</summary>
    public const string DefaultChatModelFile = CliConfiguration.DefaultChatModelFile;

    private readonly ServiceProvider _services;

    private readonly LlamaModel _model;
    private ITokenCounter? _tokenCounter;
    private OnnxEmbeddingGenerator? _sentenceEmbedder;

    private RagSession(ServiceProvider services)
    {
        _services = services;
        Retriever = services.GetRequiredService<IRetriever>();
        Chat = services.GetRequiredService<IChatClient>();
        _model = Chat.GetService<LlamaModel>() ?? throw new InvalidOperationException("the chat client is not a llama.cpp model");
        ModelPath = _model.Path;
    }

    public IRetriever Retriever { get; }

    public IChatClient Chat { get; }

    /// <summary>The query embedder (owned by the session's services).</summary>
    public IEmbeddingGenerator<string, Embedding<float>> Embedder => _services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

    public string ModelPath { get; }

    public IndexStore Store => _services.GetRequiredService<IndexStore>();

    /// <summary>The answer options bound from <c>Rag:Answer</c>.</summary>
    public AnswerOptions AnswerOptions => _services.GetRequiredService<IOptions<AnswerOptions>>().Value;

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
    /// The services of the CLI: the index store, the query embedder (<paramref name="embedderName"/>, else the built-in
    /// model the index was built with: MiniLM for a new index), the chat model and the answerer.
    /// </summary>
    public static ServiceCollection Compose(IConfiguration configuration, ILoggerFactory loggers, string? embedderName = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(loggers);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddRag(configuration).AddIndexStore().AddLlamaChat().AddAnswerer();
        services.AddSingleton(sp => CliEmbedders.Create(
            embedderName ?? CliEmbedders.NameForIndex(sp.GetRequiredService<IndexStore>()),
            sp.GetRequiredService<IOptionsMonitor<LlamaModelOptions>>().Get(LlamaModelRoles.Chat).Threads,
            loggers));
        return services;
    }

    /// <summary>
    /// Checks the configuration before any work starts: the options validate, and the chat model is a GGUF file.
    /// </summary>
    /// <exception cref="OptionsValidationException">A setting is invalid.</exception>
    /// <exception cref="CliUsageException">The chat model is missing or not a GGUF file.</exception>
    public static void Validate(IConfiguration configuration, ILoggerFactory loggers)
    {
        using var services = Compose(configuration, loggers, CliEmbedders.HashingName).BuildServiceProvider();
        services.GetService<IStartupValidator>()?.Validate();
        var configured = configuration[CliConfiguration.ChatModelKey];
        var path = string.IsNullOrWhiteSpace(configured) || File.Exists(configured) || configured.Contains('/', StringComparison.Ordinal)
            ? configured
            : Rag.Core.Configuration.RagPaths.ResolveModel(null, null, configured);
        CliChecks.GgufFile(path, CliConfiguration.ChatModelKey);
    }

    public static RagSession Open(IConfiguration configuration, ILoggerFactory loggers, string? embedderName = null)
    {
        var services = Compose(configuration, loggers, embedderName).BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false });
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            var index = services.GetRequiredService<IOptions<IndexStoreOptions>>().Value.Directory;
            if (!IndexStore.Exists(index))
            {
                throw new CliUsageException($"no index at '{index}'", $"build one first: rag ingest PATH... --index {index}");
            }

            return new RagSession(services);
        }
        catch
        {
            services.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _sentenceEmbedder?.Dispose();
        await _services.DisposeAsync().ConfigureAwait(false);
    }
}
