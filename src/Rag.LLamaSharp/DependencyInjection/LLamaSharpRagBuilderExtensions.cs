using LLama;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rag.Core.Documents;
using Rag.Core.Retrieval;
using Rag.LLamaSharp;
using Rag.LLamaSharp.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers LLamaSharp as Rag's model backend.</summary>
public static class LLamaSharpRagBuilderExtensions
{
    /// <summary>
    /// Serves Rag's model contracts with LLamaSharp: <see cref="IChatClient"/> (<see cref="LLamaSharpChatClient"/>, the
    /// model's chat template), <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> (LLamaSharp's
    /// <see cref="LLamaEmbedder"/> through <see cref="LLamaSharpEmbeddingGenerator"/>), <see cref="ITokenCounter"/> (the embedding model's tokenizer) and
    /// <see cref="IReranker"/> (<see cref="LLamaSharpReranker"/>). Each role's <see cref="LLamaSharpModelOptions"/> bind
    /// from <c>Rag:Model:Chat</c>, <c>Rag:Model:Embedding</c> and <c>Rag:Model:Reranker</c>; registrations are
    /// unconditional, and a role without a model fails with a clear message when it is first resolved.
    /// Add a <c>LLamaSharp.Backend.*</c> package to the application for the native library.
    /// </summary>
    /// <param name="builder">The Rag builder.</param>
    /// <param name="configure">Changes a role's options after binding (the first argument is the role).</param>
    /// <exception cref="NativeStackConflictException">Rag.Model is already registered: the two native stacks cannot share a process.</exception>
    public static IRagBuilder AddLLamaSharp(this IRagBuilder builder, Action<string, LLamaSharpModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        NativeStackGuard.ThrowIfRagModelIsRegistered(services.SelectMany(d => new[]
        {
            d.ServiceType, d.ImplementationType, d.ImplementationInstance?.GetType(), d.ImplementationFactory?.Method.DeclaringType,
        }));

        foreach (var role in new[] { LLamaSharpRoles.Chat, LLamaSharpRoles.Embedding, LLamaSharpRoles.Reranker })
        {
            var options = services.AddOptions<LLamaSharpModelOptions>(role).Bind(builder.Configuration.GetSection(LLamaSharpRoles.RelativeSectionOf(role)));
            if (configure is not null)
            {
                options.Configure(o => configure(role, o));
            }

            options.ValidateOnStart();
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LLamaSharpModelOptions>, LLamaSharpModelOptionsValidator>());
        services.TryAddSingleton<LLamaSharpWeights>();
        services.TryAddSingleton<IChatClient>(sp =>
        {
            var w = sp.GetRequiredService<LLamaSharpWeights>();
            return new LLamaSharpChatClient(w.Get(LLamaSharpRoles.Chat), w.Parameters(LLamaSharpRoles.Chat), w.ModelPath(LLamaSharpRoles.Chat));
        });
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp =>
        {
            var w = sp.GetRequiredService<LLamaSharpWeights>();
            var weights = w.Get(LLamaSharpRoles.Embedding);
            var embedder = new LLamaEmbedder(weights, w.EmbeddingParameters(weights),
                sp.GetService<ILoggerFactory>()?.CreateLogger<LLamaEmbedder>());
            return new LLamaSharpEmbeddingGenerator(embedder, weights.EmbeddingSize, w.ModelPath(LLamaSharpRoles.Embedding));
        });
        services.TryAddSingleton<ITokenCounter>(sp =>
        {
            var w = sp.GetRequiredService<LLamaSharpWeights>();
            return new LLamaSharpTokenCounter(w.Get(LLamaSharpRoles.Embedding), w.ModelPath(LLamaSharpRoles.Embedding));
        });
        services.TryAddSingleton<IReranker>(sp =>
        {
            var w = sp.GetRequiredService<LLamaSharpWeights>();
            var p = w.Parameters(LLamaSharpRoles.Reranker, embeddings: true);
            p.PoolingType = LLama.Native.LLamaPoolingType.Rank;
            return new LLamaSharpReranker(new LLamaReranker(w.Get(LLamaSharpRoles.Reranker), p, sp.GetService<ILoggerFactory>()?.CreateLogger<LLamaReranker>()));
        });
        return builder;
    }
}
