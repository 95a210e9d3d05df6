using System.Numerics.Tensors;
using System.Text;
using Lucene.Net.Analysis;
using Microsoft.Extensions.AI;
using Rag.Core.Indexing;
using Rag.Core.Indexing.Internal;

namespace Rag.Core.Embeddings;

/// <summary>
/// A deterministic, weight-free embedder: feature hashing of analyzed (stemmed, stop-word-free) terms and of
/// adjacent-term bigrams into <see cref="Dimension"/> signed buckets, with sublinear term frequency (1 + ln tf) and
/// L2 normalization.
/// </summary>
/// <remarks>
/// It is lexical, not semantic: two texts are close when they share stemmed words or word pairs, so it finds paraphrases
/// only as far as they share vocabulary. It is the default dense model when no GGUF embedding model is configured (no real
/// embedding weights exist on the build machines), which keeps the dense and hybrid paths running for real. Expect it to
/// score below BM25 on BEIR; a neural embedder through Rag.Model replaces it in production.
/// </remarks>
public sealed class HashingEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;
    private readonly Analyzer _analyzer;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Creates the embedder.</summary>
    /// <param name="dimension">Output dimension (default 384).</param>
    /// <param name="bigramWeight">Weight of bigram features relative to unigrams (default 0.5; 0 disables bigrams).</param>
    public HashingEmbeddingGenerator(int dimension = 384, float bigramWeight = 0.5f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 8);
        ArgumentOutOfRangeException.ThrowIfNegative(bigramWeight);
        Dimension = dimension;
        BigramWeight = bigramWeight;
        _analyzer = EnglishAnalyzerFactory.Create(EnglishAnalysis.Porter);
        _metadata = new EmbeddingGeneratorMetadata("rag-hashing", null, $"hashing-porter-bigram-{dimension}", dimension);
    }

    /// <summary>Output dimension.</summary>
    public int Dimension { get; }

    /// <summary>Weight of bigram features.</summary>
    public float BigramWeight { get; }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var text in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            result.Add(new Embedding<float>(Embed(text ?? string.Empty)) { ModelId = _metadata.DefaultModelId, CreatedAt = null });
        }

        return Task.FromResult(result);
    }

    /// <summary>Embeds one text synchronously.</summary>
    public float[] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var terms = EnglishAnalyzerFactory.Terms(_analyzer, "contents", text);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < terms.Count; i++)
        {
            counts[terms[i]] = counts.GetValueOrDefault(terms[i]) + 1;
            if (BigramWeight > 0 && i + 1 < terms.Count)
            {
                string bigram = terms[i] + "\u0001" + terms[i + 1];
                counts[bigram] = counts.GetValueOrDefault(bigram) + 1;
            }
        }

        var vector = new float[Dimension];
        foreach (var (feature, tf) in counts)
        {
            ulong h = Hash(feature);
            int bucket = (int)(h % (ulong)Dimension);
            float sign = (h >> 63) == 0 ? 1f : -1f;
            float weight = (1f + MathF.Log(tf)) * (feature.Contains('\u0001', StringComparison.Ordinal) ? BigramWeight : 1f);
            vector[bucket] += sign * weight;
        }

        float norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }

        return vector;
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

        if (serviceType == typeof(EmbedderIdentity))
        {
            // The version names everything that shapes the vectors: the analysis chain, the hash and the bigram weight.
            return new EmbedderIdentity(
                _metadata.DefaultModelId!,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"rag-hashing/1 porter fnv1a bigram={BigramWeight}"),
                Dimension);
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Disposes the analyzer.</summary>
    public void Dispose() => _analyzer.Dispose();

    private static ulong Hash(string feature)
    {
        ulong hash = FnvOffset;
        foreach (byte b in Encoding.UTF8.GetBytes(feature))
        {
            hash ^= b;
            hash *= FnvPrime;
        }

        // FNV's low bits mix poorly for short keys; a final avalanche spreads them before the modulo.
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        return hash;
    }
}
