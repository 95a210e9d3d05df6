using System.Diagnostics;
using System.Globalization;
using Rag.Core.Documents;
using Rag.Core.Embeddings;
using Rag.Core.Evaluation;
using Rag.Core.Indexing;

namespace Rag.Bench.Retrieval;

/// <summary>
/// bm25-latency: query latency on the SciFact index (FSDirectory), p50/p99 for full hits (stored fields) and ids only.
/// index-throughput: SciFact index-level ingestion, BM25 only and BM25 + hashing embeddings + vectors.
/// </summary>
internal static class Bm25LatencyBench
{
    public static async Task<int> Latency(string[] args)
    {
        string dataset = BenchUtil.Arg(args, "--dataset", "");
        int rounds = int.Parse(BenchUtil.Arg(args, "--rounds", "5"), CultureInfo.InvariantCulture);
        int k = int.Parse(BenchUtil.Arg(args, "--k", "10"), CultureInfo.InvariantCulture);
        BenchUtil.Log($"machine: {BenchUtil.Machine()}");
        var ds = await BeirDataset.LoadAsync(dataset, "test");
        var allQueries = File.ReadLines(Path.Combine(dataset, "queries.jsonl"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!).ToList();
        string dir = Path.Combine(Path.GetTempPath(), "rag-bench-bm25-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var index = LuceneBm25Index.Open(dir);
            index.Upsert(ds.Corpus.Select(ToChunk));
            index.Commit();
            foreach (var qq in allQueries.Take(200))
            {
                index.Search(qq, k);
            }

            var full = new List<double>();
            var idsOnly = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                foreach (var qq in allQueries)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    index.Search(qq, k);
                    full.Add(BenchUtil.Ms(Stopwatch.GetTimestamp() - t0));
                    t0 = Stopwatch.GetTimestamp();
                    index.SearchIds(qq, k);
                    idsOnly.Add(BenchUtil.Ms(Stopwatch.GetTimestamp() - t0));
                }
            }

            full.Sort();
            idsOnly.Sort();
            Console.WriteLine($"bm25-latency: SciFact {ds.Corpus.Count} docs, {allQueries.Count} queries x {rounds} rounds, top-{k}, FSDirectory, 1 thread");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"search_with_stored_fields p50_ms={BenchUtil.Percentile(full, 50):F3} p99_ms={BenchUtil.Percentile(full, 99):F3} mean_ms={full.Average():F3}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"search_ids_only p50_ms={BenchUtil.Percentile(idsOnly, 50):F3} p99_ms={BenchUtil.Percentile(idsOnly, 99):F3} mean_ms={idsOnly.Average():F3}"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        return 0;
    }

    public static async Task<int> Throughput(string[] args)
    {
        string dataset = BenchUtil.Arg(args, "--dataset", "");
        int repeats = int.Parse(BenchUtil.Arg(args, "--repeats", "3"), CultureInfo.InvariantCulture);
        BenchUtil.Log($"machine: {BenchUtil.Machine()}");
        var ds = await BeirDataset.LoadAsync(dataset, "test");
        var chunks = ds.Corpus.Select(ToChunk).ToList();
        Console.WriteLine($"index-throughput: SciFact {chunks.Count} docs = {chunks.Count} chunks (one chunk per doc), best of {repeats}");
        foreach (var variant in new[] { "bm25", "bm25+hashing384+managed", "bm25+hashing384+faiss-flat" })
        {
            double best = double.MaxValue;
            for (int r = 0; r < repeats; r++)
            {
                string dir = Path.Combine(Path.GetTempPath(), "rag-bench-ingest-" + Guid.NewGuid().ToString("N"));
                try
                {
                    var sw = Stopwatch.StartNew();
                    using var index = LuceneBm25Index.Open(dir);
                    IVectorIndex? vectors = variant switch
                    {
                        "bm25+hashing384+managed" => new ManagedVectorIndex(384),
                        "bm25+hashing384+faiss-flat" => FaissVectorIndex.Create(384),
                        _ => null,
                    };
                    using var embedder = new HashingEmbeddingGenerator(384);
                    const int batch = 256;
                    for (int s = 0; s < chunks.Count; s += batch)
                    {
                        var slice = chunks.GetRange(s, Math.Min(batch, chunks.Count - s));
                        index.Upsert(slice);
                        if (vectors is not null)
                        {
                            var flat = new float[slice.Count * 384];
                            for (int i = 0; i < slice.Count; i++)
                            {
                                embedder.Embed(slice[i].Title + "\n" + slice[i].Text).CopyTo(flat.AsSpan(i * 384));
                            }

                            vectors.Add(slice.Select(c => ChunkIds.ToVectorId(c.Id)).ToArray(), flat);
                        }
                    }

                    index.Commit();
                    vectors?.Save(Path.Combine(dir, "vectors.index"));
                    best = Math.Min(best, sw.Elapsed.TotalSeconds);
                    vectors?.Dispose();
                }
                finally
                {
                    Directory.Delete(dir, recursive: true);
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{variant,-28} seconds={best:F2} docs_per_s={chunks.Count / best:F0} chunks_per_s={chunks.Count / best:F0}"));
        }

        return 0;
    }

    private static Chunk ToChunk(BeirDocument d) => new(Chunk.MakeId(d.Id, 0), d.Id, 0, d.Text, 0, d.Text.Length) { Title = d.Title };
}
