using System.Diagnostics;
using Rag.Model.Native;
using Rag.Model;
using Rag.Model.Embeddings;

namespace Rag.Tools.Benchmarks;

/// <summary>
/// Embedding throughput at several batch sizes: each call embeds <c>batch</c> texts at once, calls run one after the
/// other, and texts/s and tokens/s are reported per batch size.
/// </summary>
public static class EmbeddingBenchmark
{
    /// <summary>One row: batch size, texts per second and tokens per second.</summary>
    public sealed record Result(int Batch, double TextsPerSecond, double TokensPerSecond);

    /// <summary>Measures <paramref name="modelPath"/> with <paramref name="texts"/> texts per batch size.</summary>
    public static async Task<IReadOnlyList<Result>> MeasureAsync(string modelPath, IReadOnlyList<int> batches, int threads, int texts = 256,
        IProgress<Result>? progress = null, CancellationToken cancellationToken = default, int batchTokens = 512)
    {
        ArgumentNullException.ThrowIfNull(batches);
        LlamaBackend.Initialize();
        using var model = LlamaModel.Load(modelPath, cancellationToken: cancellationToken);
        await using var embedder = new LlamaEmbedder(model, new LlamaEmbedderOptions { Threads = threads, BatchTokens = batchTokens, MaxInputsPerBatch = Math.Max(1, batches.Max()) });
        var rng = new Random(7);
        string[] words = ["the", "cat", "sat", "on", "mat", "dog", "park", "model", "search", "vector", "index", "query", "answer", "small", "fast"];
        var corpus = Enumerable.Range(0, texts).Select(_ => string.Join(' ', Enumerable.Range(0, 24).Select(_ => words[rng.Next(words.Length)]))).ToArray();
        var tokenCount = corpus.Sum(t => (long)embedder.Tokenize(t).Length);
        await embedder.EmbedAsync(corpus.Take(8).ToArray(), cancellationToken).ConfigureAwait(false);
        var results = new List<Result>();
        foreach (var b in batches)
        {
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < corpus.Length; i += b)
            {
                await embedder.EmbedAsync(corpus.Skip(i).Take(b).ToArray(), cancellationToken).ConfigureAwait(false);
            }

            var s = sw.Elapsed.TotalSeconds;
            var r = new Result(b, corpus.Length / s, tokenCount / s);
            results.Add(r);
            progress?.Report(r);
        }

        return results;
    }
}
