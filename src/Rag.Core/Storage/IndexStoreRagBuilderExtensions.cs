using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rag.Core.Retrieval;
using Rag.Core.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the index store and retrieval on an <see cref="IRagBuilder"/>.</summary>
public static class IndexStoreRagBuilderExtensions
{
    /// <summary>The configuration section of <see cref="IndexStoreOptions"/>, under <c>Rag</c>.</summary>
    public const string IndexSection = "Index";

    /// <summary>The configuration section of <see cref="RetrievalOptions"/>, under <c>Rag</c>.</summary>
    public const string RetrievalSection = "Retrieval";

    /// <summary>
    /// Registers the one <see cref="IndexStore"/> of the application (options from <c>Rag:Index</c>, validated at start;
    /// opened on first use), and <see cref="IRetriever"/>: a <see cref="HybridRetriever"/> over the store's latest
    /// snapshot with the registered embedding generator, wrapped in a <see cref="RerankingRetriever"/> when
    /// <c>Rag:Retrieval:Rerank</c> is set, then in whatever <paramref name="configureRetriever"/> adds. Ingestion
    /// (<c>AddIngestion</c>) writes to the same store, so one folder is always one index.
    /// </summary>
    /// <remarks>
    /// Resolving <see cref="IRetriever"/> needs an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of strings (the
    /// model's, or <see cref="EmbeddingsRagBuilderExtensions.AddHashingEmbeddings"/> for tests) unless
    /// <c>Rag:Retrieval:Mode</c> is <c>Bm25</c>, and an <see cref="IReranker"/> when reranking is on.
    /// </remarks>
    public static IRagBuilder AddIndexStore(this IRagBuilder builder, Action<RetrieverBuilder>? configureRetriever = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<IndexStoreOptions>().Bind(builder.Configuration.GetSection(IndexSection)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IndexStoreOptions>, IndexStoreOptionsValidator>());
        services.AddOptions<RetrievalOptions>().Bind(builder.Configuration.GetSection(RetrievalSection)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetrievalOptions>, RetrievalOptionsValidator>());
        services.TryAddSingleton(sp => IndexStore.Open(sp.GetRequiredService<IOptions<IndexStoreOptions>>().Value, sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RetrievalOptions>>().Value;
            var retriever = new RetrieverBuilder(services =>
            {
                var embedder = services.GetService<IEmbeddingGenerator<string, Embedding<float>>>();
                if (embedder is null && options.Mode != RetrievalMode.Bm25)
                {
                    throw new InvalidOperationException(
                        "Retrieval needs a query embedder, and no IEmbeddingGenerator<string, Embedding<float>> is registered: add the " +
                        "embedding model (Rag:Model:Embedding), or AddHashingEmbeddings() for tests, or set Rag:Retrieval:Mode to Bm25.");
                }

                return new HybridRetriever(services.GetRequiredService<IndexStore>(), embedder, options, services.GetService<ILogger<HybridRetriever>>());
            });
            if (options.Rerank)
            {
                retriever.Use((inner, services) => new RerankingRetriever(
                    inner,
                    services.GetService<IReranker>() ?? throw new InvalidOperationException(
                        "Rag:Retrieval:Rerank is on but no IReranker is registered: configure the reranker model (Rag:Model:Reranker) or turn reranking off."),
                    options,
                    services.GetService<ILogger<RerankingRetriever>>()));
            }

            configureRetriever?.Invoke(retriever);
            return retriever.Build(sp);
        });
        return builder;
    }
}

/// <summary>Validates <see cref="RetrievalOptions"/> (DataAnnotations, then the cross-field rules).</summary>
[OptionsValidator]
internal sealed partial class RetrievalOptionsDataValidator : IValidateOptions<RetrievalOptions>
{
}

/// <summary>Runs <see cref="RetrievalOptionsDataValidator"/> and <see cref="RetrievalOptions.Validate"/>.</summary>
internal sealed class RetrievalOptionsValidator : IValidateOptions<RetrievalOptions>
{
    public ValidateOptionsResult Validate(string? name, RetrievalOptions options)
    {
        var result = new RetrievalOptionsDataValidator().Validate(name, options);
        if (result.Failed)
        {
            return result;
        }

        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (System.ComponentModel.DataAnnotations.ValidationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
