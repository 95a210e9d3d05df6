using System.Numerics.Tensors;
using LLama;
using Microsoft.Extensions.AI;

namespace Rag.LLamaSharp;

/// <summary>
/// Rag's embedding generator over LLamaSharp's <see cref="LLamaEmbedder"/> (<see cref="LLamaEmbedder.GetEmbeddings"/>,
/// one pooled vector per input, L2-normalized like Rag.Model's). LLamaEmbedder's own <see cref="IEmbeddingGenerator"/>
/// side is not used: in 0.30 it reads the pooling type and the model from a context it has already disposed, and
/// throws <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed class LLamaSharpEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LLamaEmbedder _embedder;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Wraps <paramref name="embedder"/> (disposed with this generator) for a model of <paramref name="dimensions"/> outputs.</summary>
    public LLamaSharpEmbeddingGenerator(LLamaEmbedder embedder, int dimensions, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        _embedder = embedder;
        _metadata = new EmbeddingGeneratorMetadata("llamasharp", defaultModelId: Path.GetFileName(modelPath), defaultModelDimensions: dimensions);
    }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var text in values)
        {
            var vectors = await _embedder.GetEmbeddings(text, cancellationToken).ConfigureAwait(false);
            if (vectors.Count != 1)
            {
                throw new InvalidOperationException(
                    $"LLamaSharp returned {vectors.Count} vectors for one input; the embedding model needs a pooling type (mean, cls or last), not none.");
            }

            var v = vectors[0].ToArray();
            var norm = TensorPrimitives.Norm<float>(v);
            if (norm > 0)
            {
                TensorPrimitives.Divide(v, norm, v);
            }

            result.Add(new Embedding<float>(v) { ModelId = _metadata.DefaultModelId });
        }

        return result;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : serviceType.IsInstanceOfType(_embedder) ? _embedder
            : null;
    }

    /// <inheritdoc />
    public void Dispose() => _embedder.Dispose();
}
