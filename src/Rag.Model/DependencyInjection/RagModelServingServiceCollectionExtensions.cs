using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rag.Core.Retrieval;
using Rag.Model;
using Rag.Model.Chat;
using Rag.Model.Embeddings;
using Rag.Model.Reranking;
using Rag.Model.Serving;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the llama.cpp-backed Microsoft.Extensions.AI services and the reranker from code-built options. Kept for
/// the hosts that still call it (Rag.Server, the samples); new code composes through <c>services.AddRag(configuration)</c>
/// with <c>AddLlamaChat</c>, <c>AddLlamaEmbeddings</c> and <c>AddLlamaReranker</c>.
/// </summary>
public static class RagModelServingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IChatClient"/> (over a <see cref="LlamaBatchScheduler"/>), <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>
    /// and <see cref="IReranker"/> for the models configured in <see cref="RagModelServingOptions"/>. Models load on
    /// first use and are shared; settings are validated when the options are first resolved, and an invalid
    /// configuration throws <see cref="OptionsValidationException"/> listing every problem. When no chat model path is set
    /// here but <c>AddRagModel</c> was called first, the chat client serves the <see cref="LlamaModel"/> registered there.
    /// </summary>
    public static IServiceCollection AddRagModelServing(this IServiceCollection services, Action<RagModelServingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var shared = services.Any(d => d.ServiceType == typeof(LlamaModel));
        services.AddOptions<RagModelServingOptions>().Configure(o =>
        {
            configure(o);
            o.AllowSharedChatModel = shared;
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RagModelServingOptions>, ServingOptionsValidator>());

        // Which services exist depends on the configured paths, so probe them once at registration.
        var probe = new RagModelServingOptions();
        configure(probe);

        services.TryAddSingleton<ServingModels>();
        if (probe.ResolvedChatModelPath is not null || shared)
        {
            services.TryAddSingleton(sp =>
            {
                var o = sp.GetRequiredService<IOptions<RagModelServingOptions>>().Value;
                return new LlamaBatchScheduler(sp.GetRequiredService<ServingModels>().Chat, o.Scheduler, Logger<LlamaBatchScheduler>(sp));
            });
            services.TryAddSingleton<IChatClient>(sp => new LlamaChatClient(sp.GetRequiredService<LlamaBatchScheduler>(),
                sp.GetRequiredService<IOptions<RagModelServingOptions>>().Value.Chat, ownsScheduler: false, Logger<LlamaChatClient>(sp)));
        }

        if (probe.ResolvedEmbeddingModelPath is not null)
        {
            services.TryAddSingleton(sp => new LlamaEmbedder(sp.GetRequiredService<ServingModels>().Embedding,
                sp.GetRequiredService<IOptions<RagModelServingOptions>>().Value.Embeddings, Logger<LlamaEmbedder>(sp)));
            services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => new LlamaEmbeddingGenerator(sp.GetRequiredService<LlamaEmbedder>()));
        }

        if (probe.ResolvedRerankerModelPath is not null)
        {
            services.TryAddSingleton<IReranker>(sp =>
            {
                var e = sp.GetRequiredService<IOptions<RagModelServingOptions>>().Value.Embeddings;
                var copy = new LlamaEmbedderOptions
                {
                    BatchTokens = e.BatchTokens,
                    MaxInputsPerBatch = e.MaxInputsPerBatch,
                    Threads = e.Threads,
                    AdaptiveThreads = e.AdaptiveThreads,
                    MaxQueuedRequests = e.MaxQueuedRequests,
                    Truncate = e.Truncate,
                };
                return new LlamaReranker(sp.GetRequiredService<ServingModels>().Reranker, copy, Logger<LlamaEmbedder>(sp));
            });
        }

        return services;
    }

    private static ILogger<T> Logger<T>(IServiceProvider sp) => sp.GetService<ILoggerFactory>()?.CreateLogger<T>() ?? NullLogger<T>.Instance;

    private sealed class ServingOptionsValidator : IValidateOptions<RagModelServingOptions>
    {
        public ValidateOptionsResult Validate(string? name, RagModelServingOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}

/// <summary>The models behind the serving services, loaded on first use and disposed with the container.</summary>
internal sealed class ServingModels(IOptions<RagModelServingOptions> options, IServiceProvider services, ILoggerFactory? loggerFactory = null) : IDisposable
{
    private readonly Lazy<LlamaModel> _chat = new(() => Load(options.Value.ResolvedChatModelPath, "chat", options.Value, loggerFactory));
    private readonly bool _sharedChat = options.Value.ResolvedChatModelPath is null;
    private readonly Lazy<LlamaModel> _embedding = new(() => Load(options.Value.ResolvedEmbeddingModelPath, "embedding", options.Value, loggerFactory));
    private readonly Lazy<LlamaModel> _reranker = new(() => Load(options.Value.ResolvedRerankerModelPath, "reranker", options.Value, loggerFactory));

    /// <summary>The chat model: our own when a path is configured, else a registered LlamaModel (not disposed here).</summary>
    public LlamaModel Chat => _sharedChat
        ? services.GetService<LlamaModel>() ?? throw new InvalidOperationException("No chat model is configured (set ChatModelPath or register a LlamaModel first).")
        : _chat.Value;

    public LlamaModel Embedding => _embedding.Value;

    public LlamaModel Reranker => _reranker.Value;

    public void Dispose()
    {
        foreach (var m in new[] { _chat, _embedding, _reranker })
        {
            if (m.IsValueCreated)
            {
                m.Value.Dispose();
            }
        }
    }

    private static LlamaModel Load(string? path, string role, RagModelServingOptions o, ILoggerFactory? lf) =>
        LlamaModel.Load(path ?? throw new InvalidOperationException($"No {role} model is configured."),
            new LlamaModelLoadOptions { GpuLayers = o.GpuLayers }, lf?.CreateLogger("Rag.Model.Serving"));
}
