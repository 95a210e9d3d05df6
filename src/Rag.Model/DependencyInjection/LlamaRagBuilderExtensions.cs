using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rag.Core.Retrieval;
using Rag.Model;
using Rag.Model.Chat;
using Rag.Model.DependencyInjection;
using Rag.Model.Embeddings;
using Rag.Model.Native;
using Rag.Model.Reranking;
using Rag.Model.Serving;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Rag.Model's llama.cpp services on an <see cref="IRagBuilder"/>.</summary>
public static class LlamaRagBuilderExtensions
{
    /// <summary>
    /// Registers the chat role: <see cref="IChatClient"/> (a <see cref="LlamaChatClient"/> over a
    /// <see cref="LlamaBatchScheduler"/>), with <see cref="LlamaModelOptions"/> named <see cref="LlamaModelRoles.Chat"/>
    /// bound from <c>Rag:Model:Chat</c> and validated at start. The registration is unconditional: without a model the
    /// chat client fails when first resolved, with a message naming the setting.
    /// </summary>
    /// <param name="builder">The builder from <c>services.AddRag(configuration)</c>.</param>
    /// <param name="configure">Changes applied after binding (for example a model path from the command line).</param>
    public static IRagBuilder AddLlamaChat(this IRagBuilder builder, Action<LlamaModelOptions>? configure = null)
    {
        AddRole(builder, LlamaModelRoles.Chat, configure);
        var services = builder.Services;
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptionsMonitor<LlamaModelOptions>>().Get(LlamaModelRoles.Chat);
            return new LlamaBatchScheduler(sp.GetRequiredService<LlamaModels>().Get(LlamaModelRoles.Chat), new LlamaSchedulerOptions
            {
                ContextSize = o.ContextSize,
                BatchSize = Math.Max(o.BatchSize, o.MaxSequences),
                MicroBatchSize = Math.Min(512, o.BatchSize),
                MaxSequences = o.MaxSequences,
                PrefillChunkTokens = Math.Min(256, o.BatchSize),
                Threads = o.Threads,
                AdaptiveThreads = o.AdaptiveThreads,
                PrefixCacheEntries = Math.Min(4, 256 - o.MaxSequences),
                EnablePrefixCache = o.MaxSequences < 256,
            }, sp.GetService<ILogger<LlamaBatchScheduler>>());
        });
        services.Replace(ServiceDescriptor.Singleton<IChatClient>(sp =>
        {
            var o = sp.GetRequiredService<IOptionsMonitor<LlamaModelOptions>>().Get(LlamaModelRoles.Chat);
            return new LlamaChatClient(sp.GetRequiredService<LlamaBatchScheduler>(),
                new LlamaChatClientOptions { DefaultTemperature = o.DefaultTemperature, DefaultMaxOutputTokens = o.DefaultMaxOutputTokens },
                ownsScheduler: false, sp.GetService<ILogger<LlamaChatClient>>());
        }));
        return builder;
    }

    /// <summary>
    /// Registers the embedding role: <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of strings (a
    /// <see cref="LlamaEmbeddingGenerator"/> over a <see cref="LlamaEmbedder"/>), options from <c>Rag:Model:Embedding</c>.
    /// It replaces any embedder registered before it (there is no silent fallback to another embedder); without a
    /// model it fails when first resolved.
    /// </summary>
    /// <param name="builder">The builder from <c>services.AddRag(configuration)</c>.</param>
    /// <param name="configure">Changes applied after binding.</param>
    public static IRagBuilder AddLlamaEmbeddings(this IRagBuilder builder, Action<LlamaModelOptions>? configure = null)
    {
        AddRole(builder, LlamaModelRoles.Embedding, configure);
        builder.Services.TryAddSingleton(sp => new LlamaEmbedder(sp.GetRequiredService<LlamaModels>().Get(LlamaModelRoles.Embedding),
            EmbedderOptions(sp, LlamaModelRoles.Embedding), sp.GetService<ILogger<LlamaEmbedder>>()));
        builder.Services.Replace(ServiceDescriptor.Singleton<IEmbeddingGenerator<string, Embedding<float>>>(
            sp => new LlamaEmbeddingGenerator(sp.GetRequiredService<LlamaEmbedder>())));
        return builder;
    }

    /// <summary>
    /// Registers the reranker role: <see cref="IReranker"/> (a <see cref="LlamaReranker"/>), options from
    /// <c>Rag:Model:Reranker</c>; without a model it fails when first resolved.
    /// </summary>
    /// <param name="builder">The builder from <c>services.AddRag(configuration)</c>.</param>
    /// <param name="configure">Changes applied after binding.</param>
    public static IRagBuilder AddLlamaReranker(this IRagBuilder builder, Action<LlamaModelOptions>? configure = null)
    {
        AddRole(builder, LlamaModelRoles.Reranker, configure);
        builder.Services.Replace(ServiceDescriptor.Singleton<IReranker>(sp => new LlamaReranker(
            sp.GetRequiredService<LlamaModels>().Get(LlamaModelRoles.Reranker), EmbedderOptions(sp, LlamaModelRoles.Reranker),
            sp.GetService<ILogger<LlamaEmbedder>>())));
        return builder;
    }

    /// <summary>All three roles: <see cref="AddLlamaChat"/>, <see cref="AddLlamaEmbeddings"/> and <see cref="AddLlamaReranker"/>.</summary>
    /// <param name="builder">The builder from <c>services.AddRag(configuration)</c>.</param>
    /// <param name="configure">Changes a role's options after binding (the first argument is the role).</param>
    public static IRagBuilder AddLlama(this IRagBuilder builder, Action<string, LlamaModelOptions>? configure = null) =>
        builder
            .AddLlamaChat(configure is null ? null : o => configure(LlamaModelRoles.Chat, o))
            .AddLlamaEmbeddings(configure is null ? null : o => configure(LlamaModelRoles.Embedding, o))
            .AddLlamaReranker(configure is null ? null : o => configure(LlamaModelRoles.Reranker, o));

    private static void AddRole(IRagBuilder builder, string role, Action<LlamaModelOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<LlamaModelOptions>(role).Bind(builder.Configuration.GetSection(LlamaModelRoles.RelativeSectionOf(role)));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlamaModelOptions>, LlamaModelOptionsValidator>());
        if (!services.Any(d => d.ServiceType == typeof(LlamaBackendInfo)))
        {
            services.AddOptions<LlamaBackendOptions>().Bind(builder.Configuration.GetSection(LlamaModelRoles.RelativeSectionOf(LlamaModelRoles.Native)));
            services.AddSingleton(sp => LlamaBackend.Initialize(sp.GetRequiredService<IOptions<LlamaBackendOptions>>().Value,
                sp.GetService<ILoggerFactory>()?.CreateLogger("Rag.Model.LlamaBackend")));
        }

        services.TryAddSingleton<LlamaModels>();
    }

    private static LlamaEmbedderOptions EmbedderOptions(IServiceProvider sp, string role)
    {
        var o = sp.GetRequiredService<IOptionsMonitor<LlamaModelOptions>>().Get(role);
        return new LlamaEmbedderOptions { BatchTokens = o.BatchSize, Threads = o.Threads, AdaptiveThreads = o.AdaptiveThreads };
    }
}

/// <summary>Validates <see cref="LlamaModelOptions"/> (DataAnnotations, source-generated).</summary>
[OptionsValidator]
internal sealed partial class LlamaModelOptionsValidator : IValidateOptions<LlamaModelOptions>;
