using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rag.Core.Documents;
using Rag.Core.Storage;
using Rag.Ingest;
using Rag.Ingest.Chunking;
using Rag.Ingest.Loaders;
using Rag.Ingest.Pipeline;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ingestion on an <see cref="IRagBuilder"/>.</summary>
public static class IngestionRagBuilderExtensions
{
    /// <summary>The configuration section of <see cref="RagIngestOptions"/>, under <c>Rag</c>.</summary>
    public const string IngestSection = "Ingest";

    /// <summary>
    /// Registers loaders, the chunker and <see cref="IngestionPipeline"/> (options from <c>Rag:Ingest</c>, validated at
    /// start), writing to the one <see cref="IndexStore"/> that <c>AddIndexStore</c> registers (added here too), so what
    /// is ingested is what retrieval finds. The token counter defaults to <see cref="TiktokenTokenCounter"/> (register an
    /// <see cref="ITokenCounter"/> to use the model's tokenizer). The pipeline embeds with the registered
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of strings; without one, resolving it fails unless
    /// <see cref="RagIngestOptions.KeywordOnly"/> is set.
    /// </summary>
    public static IRagBuilder AddIngestion(this IRagBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddIndexStore();
        var services = builder.Services;
        services.AddOptions<RagIngestOptions>().Bind(builder.Configuration.GetSection(IngestSection)).ValidateOnStart();
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
            var embedder = o.KeywordOnly ? null : sp.GetService<IEmbeddingGenerator<string, Embedding<float>>>() ?? throw new InvalidOperationException(
                "Ingestion needs an embedding model, and no IEmbeddingGenerator<string, Embedding<float>> is registered: add the embedding " +
                "model (Rag:Model:Embedding), or AddHashingEmbeddings() for tests, or set Rag:Ingest:KeywordOnly to index keywords only.");
            return new IngestionPipeline(
                sp.GetRequiredService<IndexStore>(),
                sp.GetRequiredService<IChunker>(),
                o.Chunking.Fingerprint(sp.GetRequiredService<ITokenCounter>()),
                sp.GetRequiredService<DocumentLoaderRegistry>(),
                embedder,
                o.Ingestion,
                sp.GetService<ILogger<IngestionPipeline>>());
        });
        return builder;
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
