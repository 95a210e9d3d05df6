using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rag.Core.Documents;
using Rag.Core.Indexing;
using Rag.Ingest;
using Rag.Ingest.Chunking;
using Rag.Ingest.Loaders;
using Rag.Ingest.Pipeline;
using Rag.Ingest.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ingestion services.</summary>
public static class RagIngestServiceCollectionExtensions
{
    /// <summary>
    /// Adds loaders, the chunker, the index store (opened, and recovered, on first use) and <see cref="IngestionPipeline"/>.
    /// Options are validated at start. The token counter defaults to <see cref="TiktokenTokenCounter"/> (register an
    /// <see cref="ITokenCounter"/> before or after to use the model's tokenizer); the pipeline embeds with the registered
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of strings, or indexes keywords only when there is none; the
    /// vector index kind comes from a registered <see cref="VectorIndexFactory"/>, else FAISS when available, else managed.
    /// </summary>
    public static IServiceCollection AddRagIngest(this IServiceCollection services, Action<RagIngestOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<RagIngestOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RagIngestOptions>, RagIngestOptionsValidator>());
        services.TryAddSingleton<ITokenCounter>(_ => TiktokenTokenCounter.Default);
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<RagIngestOptions>>().Value;
            return DocumentLoaderRegistry.CreateDefault(o.Loaders, sp.GetService<ILogger<DocumentLoaderRegistry>>());
        });
        services.TryAddSingleton(sp => ChunkerFactory.Create(sp.GetRequiredService<IOptions<RagIngestOptions>>().Value.Chunking, sp.GetRequiredService<ITokenCounter>()));
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<RagIngestOptions>>().Value;
            var factory = sp.GetService<VectorIndexFactory>() ?? new VectorIndexFactory(logger: sp.GetService<ILogger<VectorIndexFactory>>());
            return IndexStore.Open(
                new IndexStoreOptions { Directory = o.IndexDirectory, Lucene = o.Lucene, CreateVectorIndex = factory.Create, LoadVectorIndex = factory.Load },
                sp.GetService<ILogger<IndexStore>>());
        });
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<RagIngestOptions>>().Value;
            return new IngestionPipeline(
                sp.GetRequiredService<IndexStore>(),
                sp.GetRequiredService<IChunker>(),
                o.Chunking.Fingerprint(sp.GetRequiredService<ITokenCounter>()),
                sp.GetRequiredService<DocumentLoaderRegistry>(),
                sp.GetService<IEmbeddingGenerator<string, Embedding<float>>>(),
                o.Ingestion,
                sp.GetService<ILogger<IngestionPipeline>>());
        });
        return services;
    }

    private sealed class RagIngestOptionsValidator : IValidateOptions<RagIngestOptions>
    {
        public ValidateOptionsResult Validate(string? name, RagIngestOptions options)
        {
            try
            {
                options.Validate();
                return ValidateOptionsResult.Success;
            }
            catch (Exception ex) when (ex is ArgumentException or System.ComponentModel.DataAnnotations.ValidationException)
            {
                return ValidateOptionsResult.Fail(ex.Message);
            }
        }
    }
}
