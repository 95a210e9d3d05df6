using System.Diagnostics;
using System.Globalization;
using Rag.Core.Indexing;

namespace Rag.Bench.Retrieval;

/// <summary>flat: exact search, FAISS IndexFlatIP vs ManagedVectorIndex, same data and queries; checks identical top-10.</summary>
internal static class FlatCompareBench
{
    public static int Run(string[] args)
    {
        int n = int.Parse(BenchUtil.Arg(args, "--n", "200000"), CultureInfo.InvariantCulture);
        int dim = int.Parse(BenchUtil.Arg(args, "--dim", "384"), CultureInfo.InvariantCulture);
        int queries = int.Parse(BenchUtil.Arg(args, "--queries", "200"), CultureInfo.InvariantCulture);
        const int k = 10;
        BenchUtil.Log($"machine: {BenchUtil.Machine()}");
        var centroids = ClusteredVectors.Centroids(1000, dim, 42);
        var data = ClusteredVectors.Generate(n, dim, centroids, 1.0f, 7);
        var q = ClusteredVectors.Generate(queries, dim, centroids, 1.0f, 12345);
        var ids = Enumerable.Range(0, n).Select(i => (long)i).ToArray();

        using var faiss = FaissVectorIndex.Create(dim, new VectorIndexOptions { FaissDescription = "Flat", SearchThreads = 1 });
        using var managed = new ManagedVectorIndex(dim);
        var sw = Stopwatch.StartNew();
        faiss.Add(ids, data);
        double faissAdd = sw.Elapsed.TotalSeconds;
        sw.Restart();
        managed.Add(ids, data);
        double managedAdd = sw.Elapsed.TotalSeconds;

        // Warm-up (JIT, page faults).
        faiss.Search(q.AsSpan(0, dim), k);
        managed.Search(q.AsSpan(0, dim), k);

        var single = new float[dim];
        var fRes = new List<IReadOnlyList<VectorHit>>();
        var mRes = new List<IReadOnlyList<VectorHit>>();
        sw.Restart();
        for (int i = 0; i < queries; i++)
        {
            q.AsSpan(i * dim, dim).CopyTo(single);
            fRes.Add(faiss.Search(single, k));
        }

        double faissSingle = sw.Elapsed.TotalSeconds;
        sw.Restart();
        for (int i = 0; i < queries; i++)
        {
            q.AsSpan(i * dim, dim).CopyTo(single);
            mRes.Add(managed.Search(single, k));
        }

        double managedSingle = sw.Elapsed.TotalSeconds;
        int same = Enumerable.Range(0, queries).Count(i => fRes[i].Select(h => h.Id).SequenceEqual(mRes[i].Select(h => h.Id)));

        using var faissBatchIndex = FaissVectorIndex.Create(dim, new VectorIndexOptions { FaissDescription = "Flat", SearchThreads = Environment.ProcessorCount });
        faissBatchIndex.Add(ids, data);
        using var managedPar = new ManagedVectorIndex(dim, Environment.ProcessorCount);
        managedPar.Add(ids, data);
        sw.Restart();
        var fBatch = faissBatchIndex.SearchBatch(q, k);
        double faissBatch = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var mBatch = Enumerable.Range(0, queries).Select(i => managedPar.Search(q.AsSpan(i * dim, dim), k)).ToList();
        double managedBatch = sw.Elapsed.TotalSeconds;
        int sameBatch = Enumerable.Range(0, queries).Count(i => fBatch[i].Select(h => h.Id).SequenceEqual(mBatch[i].Select(h => h.Id)));

        FaissNativeLibrary.SetBlasThreshold(20);
        sw.Restart();
        var fBlas = faissBatchIndex.SearchBatch(q, k);
        double faissBlas = sw.Elapsed.TotalSeconds;
        FaissNativeLibrary.SetBlasThreshold(1 << 30);
        int sameBlas = Enumerable.Range(0, queries).Count(i => fBlas[i].Select(h => h.Id).SequenceEqual(mBatch[i].Select(h => h.Id)));

        Console.WriteLine($"flat: n={n} dim={dim} queries={queries} k={k}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"add_seconds faiss={faissAdd:F2} managed={managedAdd:F2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"single_query_1thread qps faiss={queries / faissSingle:F1} managed={queries / managedSingle:F1} ratio_faiss_over_managed={managedSingle / faissSingle:F2} identical_top10={same}/{queries}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"batch_{Environment.ProcessorCount}threads qps faiss_simd_batch={queries / faissBatch:F1} faiss_blas_sgemm_batch={queries / faissBlas:F1} (identical {sameBlas}/{queries}) managed_parallel={queries / managedBatch:F1} ratio={managedBatch / faissBatch:F2} identical_top10={sameBatch}/{queries}"));
        return 0;
    }
}
