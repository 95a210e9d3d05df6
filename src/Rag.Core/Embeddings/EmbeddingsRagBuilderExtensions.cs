using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rag.Core.Embeddings;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Rag.Core's built-in embedder on an <see cref="IRagBuilder"/>.</summary>
public static class EmbeddingsRagBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="HashingEmbeddingGenerator"/> as the <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of
    /// strings, unless one is registered already. An explicit opt-in for tests and demos: it is lexical, not semantic.
    /// </summary>
    public static IRagBuilder AddHashingEmbeddings(this IRagBuilder builder, int dimension = 384)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 8);
        builder.Services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(_ => new HashingEmbeddingGenerator(dimension));
        return builder;
    }
}
