using System.Diagnostics;
using System.Globalization;
using Rag.Core.Indexing;

namespace Rag.Bench.Retrieval;

/// <summary>
/// faiss-1m: HNSW over N clustered vectors; recall@10 against exact search (FAISS Flat, batched) and single-query
/// latency at 1 thread for a sweep of efSearch values; build time and RSS.
/// </summary>
internal static class FaissMillionBench
{
    public static int Run(string[] args)
    {
        int n = int.Parse(BenchUtil.Arg(args, "--n", "1000000"), CultureInfo.InvariantCulture);
        int dim = int.Parse(BenchUtil.Arg(args, "--dim", "384"), CultureInfo.InvariantCulture);
        int queries = int.Parse(BenchUtil.Arg(args, "--queries", "1000"), CultureInfo.InvariantCulture);
        int efc = int.Parse(BenchUtil.Arg(args, "--ef-construction", "64"), CultureInfo.InvariantCulture);
        int m = int.Parse(BenchUtil.Arg(args, "--m", "32"), CultureInfo.InvariantCulture);
        int buildThreads = int.Parse(BenchUtil.Arg(args, "--build-threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        string? cache = BenchUtil.Arg(args, "--cache", "");
        var efs = BenchUtil.Arg(args, "--ef-search", "16,32,64,128,256").Split(',').Select(int.Parse).ToArray();
        const int k = 10;

        BenchUtil.Log($"machine: {BenchUtil.Machine()}");
        var sw = Stopwatch.StartNew();
        var centroids = ClusteredVectors.Centroids(1000, dim, 42);
        var data = ClusteredVectors.Generate(n, dim, centroids, noise: 1.0f, seed: 7);
        var q = ClusteredVectors.Generate(queries, dim, centroids, noise: 1.0f, seed: 12345);
        BenchUtil.Log($"generated {n} x {dim} clustered vectors + {queries} queries in {sw.Elapsed.TotalSeconds:F1} s");
        var ids = Enumerable.Range(0, n).Select(i => (long)i).ToArray();

        // Ground truth: exact inner-product top-10 with FAISS Flat, batched (BLAS).
        sw.Restart();
        IReadOnlyList<IReadOnlyList<VectorHit>> truth;
        using (var flat = FaissVectorIndex.Create(dim, new VectorIndexOptions { FaissDescription = "Flat", SearchThreads = buildThreads, BuildThreads = buildThreads }))
        {
            flat.Add(ids, data);
            truth = flat.SearchBatch(q, k);
        }

        BenchUtil.Log($"exact ground truth (FAISS Flat, batched, {buildThreads} threads): {sw.Elapsed.TotalSeconds:F1} s");

        FaissVectorIndex hnsw;
        double buildSeconds = double.NaN;
        var before = BenchUtil.Rss();
        if (!string.IsNullOrEmpty(cache) && File.Exists(cache))
        {
            sw.Restart();
            hnsw = FaissVectorIndex.Load(cache, new VectorIndexOptions { SearchThreads = 1 });
            BenchUtil.Log($"loaded cached HNSW from {cache} in {sw.Elapsed.TotalSeconds:F1} s");
        }
        else
        {
            hnsw = FaissVectorIndex.Create(dim, new VectorIndexOptions
            {
                FaissDescription = $"HNSW{m}",
                EfConstruction = efc,
                BuildThreads = buildThreads,
                SearchThreads = 1,
            });
            sw.Restart();
            const int batch = 50_000;
            for (int start = 0; start < n; start += batch)
            {
                int len = Math.Min(batch, n - start);
                hnsw.Add(ids.AsSpan(start, len), data.AsSpan(start * dim, len * dim));
                BenchUtil.Log($"  HNSW{m} add {start + len}/{n} ({sw.Elapsed.TotalSeconds:F0} s)");
            }

            buildSeconds = sw.Elapsed.TotalSeconds;
            if (!string.IsNullOrEmpty(cache))
            {
                hnsw.Save(cache);
            }
        }

        var after = BenchUtil.Rss();
        Console.WriteLine($"faiss-1m: n={n} dim={dim} HNSW{m} efConstruction={efc} build_threads={buildThreads}");
        Console.WriteLine($"build_seconds: {buildSeconds:F1}");
        Console.WriteLine($"rss_mb_before_hnsw: {before.CurrentMb:F0} rss_mb_after_hnsw: {after.CurrentMb:F0} peak_rss_mb: {after.PeakMb:F0} (raw vectors alone: {(double)n * dim * 4 / (1 << 20):F0} MiB)");
        var single = new float[dim];
        foreach (int ef in efs)
        {
            hnsw.EfSearch = ef;
            var lat = new List<double>(queries);
            int found = 0;
            for (int i = 0; i < queries; i++)
            {
                q.AsSpan(i * dim, dim).CopyTo(single);
                long t0 = Stopwatch.GetTimestamp();
                var hits = hnsw.Search(single, k);
                lat.Add(BenchUtil.Ms(Stopwatch.GetTimestamp() - t0));
                var exact = truth[i].Select(h => h.Id).ToHashSet();
                found += hits.Count(h => exact.Contains(h.Id));
            }

            lat.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"efSearch={ef,4} recall@10={found / (double)(queries * k):F4} p50_ms={BenchUtil.Percentile(lat, 50):F3} p99_ms={BenchUtil.Percentile(lat, 99):F3} qps_1thread={1000.0 / lat.Average():F0}"));
        }

        hnsw.Dispose();
        return 0;
    }
}
