using System.Diagnostics;
using System.Globalization;
using Rag.Model.Native;

namespace Rag.Model.Embeddings;

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
        TextWriter? log = null, CancellationToken cancellationToken = default, int batchTokens = 512)
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
            log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch: {b}  texts/s: {r.TextsPerSecond:F1}  tokens/s: {r.TokensPerSecond:F0}"));
        }

        return results;
    }

    /// <summary>Entry point for <c>bench embed --model PATH [--batches 1,8,32] [--threads 2] [--texts 256] [--batch-tokens 512]</c>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        string? model = null;
        int[] batches = [1, 8, 32];
        int threads = 2, texts = 256, batchTokens = 512;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                var v = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--model": model = v; break;
                    case "--batches": batches = v.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray(); break;
                    case "--threads": threads = int.Parse(v, CultureInfo.InvariantCulture); break;
                    case "--texts": texts = int.Parse(v, CultureInfo.InvariantCulture); break;
                    case "--batch-tokens": batchTokens = int.Parse(v, CultureInfo.InvariantCulture); break;
                    default: throw new ArgumentException($"Unknown option '{args[i]}'.");
                }

                i++;
            }

            if (model is null)
            {
                throw new ArgumentException("--model is required.");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            await stderr.WriteLineAsync($"{ex.Message}\nusage: bench embed --model PATH [--batches 1,8,32] [--threads 2] [--texts 256] [--batch-tokens 512]").ConfigureAwait(false);
            return 2;
        }

        await MeasureAsync(model, batches, threads, texts, stdout, cancellationToken, batchTokens).ConfigureAwait(false);
        return 0;
    }
}
