using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rag.Core.Embeddings;
using Rag.Core.Indexing;
using Rag.Core.Retrieval;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>DI registration of Rag.Core retrieval.</summary>
public static class RagCoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="RetrievalOptions"/> (validated on start), <see cref="VectorIndexFactory"/>, a default
    /// <see cref="HashingEmbeddingGenerator"/> when no embedding generator is registered, the keyword and vector indexes
    /// (see <see cref="RetrievalOptions.IndexDirectory"/>) unless already registered, and <see cref="HybridRetriever"/>.
    /// An <see cref="IReranker"/> registered by the host is used when present.
    /// </summary>
    public static IServiceCollection AddRagCore(this IServiceCollection services, Action<RetrievalOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<RetrievalOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetrievalOptions>, RetrievalOptionsValidator>());

        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp =>
            new HashingEmbeddingGenerator(sp.GetRequiredService<IOptions<RetrievalOptions>>().Value.HashingEmbeddingDimension));
        services.TryAddSingleton(sp => new VectorIndexFactory(
            sp.GetRequiredService<IOptions<RetrievalOptions>>().Value.Vectors, sp.GetService<ILogger<VectorIndexFactory>>()));
        services.TryAddSingleton<IKeywordIndex>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RetrievalOptions>>().Value;
            var logger = sp.GetService<ILogger<LuceneBm25Index>>();
            return options.IndexDirectory is null
                ? LuceneBm25Index.CreateInMemory(options.Bm25, logger)
                : LuceneBm25Index.Open(Path.Combine(options.IndexDirectory, "bm25"), options.Bm25, logger);
        });
        services.TryAddSingleton<IVectorIndex>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RetrievalOptions>>().Value;
            var factory = sp.GetRequiredService<VectorIndexFactory>();
            if (options.IndexDirectory is not null)
            {
                string path = Path.Combine(options.IndexDirectory, "vectors.index");
                if (File.Exists(path))
                {
                    return factory.Load(path);
                }
            }

            var embedder = sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            int dimension = embedder.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions
                ?? embedder.GenerateAsync(["dimension probe"]).GetAwaiter().GetResult()[0].Vector.Length;
            return factory.Create(dimension);
        });
        services.TryAddSingleton(sp => new HybridRetriever(
            sp.GetRequiredService<IKeywordIndex>(),
            sp.GetRequiredService<IVectorIndex>(),
            sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
            sp.GetService<IReranker>(),
            sp.GetRequiredService<IOptions<RetrievalOptions>>().Value,
            sp.GetService<ILogger<HybridRetriever>>()));
        return services;
    }

    private sealed class RetrievalOptionsValidator : IValidateOptions<RetrievalOptions>
    {
        public ValidateOptionsResult Validate(string? name, RetrievalOptions options)
        {
            try
            {
                options.Validate();
                return ValidateOptionsResult.Success;
            }
            catch (ValidationException e)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }
}
