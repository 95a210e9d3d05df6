using Microsoft.Extensions.AI;

namespace Rag.Core.Embeddings;

/// <summary>
/// Which embedding model produced a set of vectors: vectors from different models (or versions of one model) are not
/// comparable even when their dimensions agree, so the index store records this and checks it on every use.
/// </summary>
/// <param name="ModelId">The model's name or id (for example <c>all-MiniLM-L6-v2</c>).</param>
/// <param name="Version">A content hash or version of the weights and of whatever else changes the vectors (tokenizer, pooling, normalization).</param>
/// <param name="Dimension">Vector dimension.</param>
public sealed record EmbedderIdentity(string ModelId, string Version, int Dimension)
{
    /// <summary>
    /// The identity of <paramref name="embedder"/>: what it answers to <c>GetService(typeof(EmbedderIdentity))</c>, else
    /// one made from its <see cref="EmbeddingGeneratorMetadata"/> (model id and provider), with the dimension from the
    /// metadata or, when the metadata does not say, from embedding one probe text.
    /// </summary>
    /// <remarks>
    /// Embedders should answer <c>GetService(typeof(EmbedderIdentity))</c> with a version that changes whenever their
    /// vectors would (a hash of the weights file is the safe choice); the metadata fallback cannot see a changed weights
    /// file under the same model id.
    /// </remarks>
    public static async Task<EmbedderIdentity> OfAsync(IEmbeddingGenerator<string, Embedding<float>> embedder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        if (embedder.GetService(typeof(EmbedderIdentity)) is EmbedderIdentity declared)
        {
            return declared;
        }

        var metadata = embedder.GetService(typeof(EmbeddingGeneratorMetadata)) as EmbeddingGeneratorMetadata;
        int? dimension = metadata?.DefaultModelDimensions;
        if (dimension is null or <= 0)
        {
            var probe = await embedder.GenerateAsync(["dimension probe"], cancellationToken: cancellationToken).ConfigureAwait(false);
            dimension = probe[0].Vector.Length;
        }

        string model = metadata?.DefaultModelId ?? embedder.GetType().FullName ?? embedder.GetType().Name;
        string version = metadata?.ProviderName ?? embedder.GetType().FullName ?? "unversioned";
        return new EmbedderIdentity(model, version, dimension.Value);
    }

    /// <summary>A short description for messages: <c>'model' (version, N dimensions)</c>.</summary>
    public override string ToString() => $"'{ModelId}' ({Version}, {Dimension} dimensions)";
}
