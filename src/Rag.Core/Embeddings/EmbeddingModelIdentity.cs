using Microsoft.Extensions.AI;

namespace Rag.Core.Embeddings;

/// <summary>
/// What decides the vectors an embedding generator makes: vectors from two generators can share an index only when
/// their identities are equal. Generators return it from <c>GetService(typeof(EmbeddingModelIdentity))</c>; an index
/// records it, so that opening the index with another model is refused instead of silently returning wrong neighbours.
/// </summary>
/// <param name="ModelId">The model's name (for example <c>all-MiniLM-L6-v2</c>), for messages.</param>
/// <param name="Dimension">Length of every vector.</param>
/// <param name="ContentHash">
/// A stable hash (<c>sha256:</c> and 64 hex digits) of everything that shapes the vectors: the weights, the vocabulary
/// and the settings (pooling, prefixes, maximum length, normalization). Equal for the same model loaded anywhere.
/// </param>
public sealed record EmbeddingModelIdentity(string ModelId, int Dimension, string ContentHash)
{
    /// <summary>The identity <paramref name="generator"/> reports, or null when it reports none.</summary>
    public static EmbeddingModelIdentity? Of(IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return generator.GetService(typeof(EmbeddingModelIdentity)) as EmbeddingModelIdentity;
    }
}
