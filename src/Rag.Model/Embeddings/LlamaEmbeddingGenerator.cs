using Microsoft.Extensions.AI;
using Rag.Model.Embeddings;

namespace Rag.Model.Embeddings;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over a <see cref="LlamaEmbedder"/>: the values of one call, and
/// of concurrent calls, are embedded in shared batches. Vectors are pooled as the embedder is configured and
/// L2-normalized unless that was turned off.
/// </summary>
public sealed class LlamaEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LlamaEmbedder _embedder;
    private readonly bool _ownsEmbedder;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Wraps <paramref name="embedder"/>.</summary>
    /// <exception cref="ArgumentException">The embedder has no pooling or rank pooling (it yields no single vector per text).</exception>
    public LlamaEmbeddingGenerator(LlamaEmbedder embedder, bool ownsEmbedder = false)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        if (embedder.Pooling is LlamaPoolingType.None or LlamaPoolingType.Rank)
        {
            throw new ArgumentException($"An embedding generator needs mean, cls or last pooling, not {embedder.Pooling}.", nameof(embedder));
        }

        _embedder = embedder;
        _ownsEmbedder = ownsEmbedder;
        _metadata = new EmbeddingGeneratorMetadata("llama.cpp", new Uri(embedder.Model.Path), Path.GetFileName(embedder.Model.Path), embedder.Dimensions);
        var values = embedder.Model.Metadata.Values;
        QueryPrefix = values.GetValueOrDefault(Gguf.Conversion.OnnxBertConverter.QueryPrefixKey) ?? string.Empty;
        DocumentPrefix = values.GetValueOrDefault(Gguf.Conversion.OnnxBertConverter.DocumentPrefixKey) ?? string.Empty;
    }

    /// <summary>
    /// Put before texts a call marks as queries (<see cref="Rag.Core.Embeddings.EmbeddingInput.ForQueries"/>): the GGUF's
    /// <c>rag.embedding.query_prefix</c> (written by <c>rag models convert</c> for arctic-xs), else empty.
    /// </summary>
    public string QueryPrefix { get; }

    /// <summary>Put before every other text: the GGUF's <c>rag.embedding.document_prefix</c>, else empty.</summary>
    public string DocumentPrefix { get; }

    /// <summary>Metadata: provider, model file and vector size.</summary>
    public EmbeddingGeneratorMetadata Metadata => _metadata;

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is { } d && d != _embedder.Dimensions)
        {
            throw new ArgumentException($"This model produces {_embedder.Dimensions}-dimensional vectors, not {d}.", nameof(options));
        }

        string prefix = Rag.Core.Embeddings.EmbeddingInput.GetKind(options) == Rag.Core.Embeddings.EmbeddingInputKind.Query ? QueryPrefix : DocumentPrefix;
        var texts = prefix.Length == 0 ? values.ToArray() : values.Select(v => prefix + v).ToArray();
        var vectors = await _embedder.EmbedAsync(texts, cancellationToken).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v)
        {
            ModelId = _metadata.DefaultModelId,
            CreatedAt = created,
        }));
        result.Usage = new UsageDetails { InputTokenCount = texts.Sum(t => (long)_embedder.Tokenize(t).Length) };
        return result;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return _metadata;
        }

        if (serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        return serviceType.IsInstanceOfType(_embedder) ? _embedder : null;
    }

    /// <summary>Disposes the embedder when the generator owns it.</summary>
    public void Dispose()
    {
        if (_ownsEmbedder)
        {
            _embedder.Dispose();
        }
    }
}
