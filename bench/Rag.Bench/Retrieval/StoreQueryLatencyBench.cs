using System.Diagnostics;
using System.Globalization;
using Rag.Core.Documents;
using Rag.Core.Evaluation;
using Rag.Core.Indexing;
using Rag.Core.Retrieval;
#if !BEFORE_STORE
using Rag.Core.Storage;
#endif

namespace Rag.Bench.Retrieval;

/// <summary>
/// bm25-query-latency: BM25 query latency on the SciFact index (FSDirectory, 5,183 docs) through the path applications use,
/// so the same measurement runs before and after the index store (issue 8). With <c>BEFORE_STORE</c> defined (the compare
/// script <c>bench/store/compare-bm25-latency.sh</c> prepends it when it copies this file into a checkout of the commit
/// before the store), the index is a bare <c>LuceneBm25Index</c> and the retriever wraps it; without it, the index is an
/// <c>IndexStore</c> and every query takes a snapshot, as <c>HybridRetriever</c> over a store does.
/// Two paths, one thread, top-10: <c>retriever</c> = <c>HybridRetriever.RetrieveAsync</c> in BM25 mode (what <c>ask</c> and
/// the eval run), <c>keyword</c> = the BM25 search alone (after: inside a snapshot acquired and released per query).
/// </summary>
internal static class StoreQueryLatencyBench
{
    public static async Task<int> Run(string[] args)
    {
        string dataset = BenchUtil.Arg(args, "--dataset", "");
        int rounds = int.Parse(BenchUtil.Arg(args, "--rounds", "2"), CultureInfo.InvariantCulture);
        const int K = 10;
        var ds = await BeirDataset.LoadAsync(dataset, "test");
        var queries = File.ReadLines(Path.Combine(dataset, "queries.jsonl"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!).ToList();
        var chunks = ds.Corpus.Select(d => new Chunk(Chunk.MakeId(d.Id, 0), d.Id, 0, d.Text, 0, d.Text.Length) { Title = d.Title }).ToList();
        string dir = Path.Combine(Path.GetTempPath(), "rag-bench-store-latency-" + Guid.NewGuid().ToString("N"));
        try
        {
#if BEFORE_STORE
            const string Variant = "before (LuceneBm25Index, no store)";
            using var index = LuceneBm25Index.Open(dir);
            index.Upsert(chunks);
            index.Commit();
            var retriever = new HybridRetriever(index, null, null);
            Task<IReadOnlyList<RetrievalHit>> Retrieve(string q) => retriever.RetrieveAsync(q, K, mode: RetrievalMode.Bm25);
            IReadOnlyList<ScoredChunk> Keyword(string q) => index.Search(q, K);
#else
            const string Variant = "after (IndexStore snapshots)";
            using var store = IndexStore.Open(new IndexStoreOptions { Directory = dir });
            using (var writer = store.OpenWriter(new IndexWriterOptions()))
            {
                foreach (var c in chunks)
                {
                    writer.PutDocument(new DocumentRecord(c.DocumentId, string.Empty, 1), [c], ReadOnlySpan<float>.Empty);
                }

                writer.Commit();
            }

            var retriever = new HybridRetriever(store, null);
            var request = new RetrievalRequestOptions { TopK = K, Mode = RetrievalMode.Bm25 };
            Task<IReadOnlyList<RetrievalHit>> Retrieve(string q) => retriever.RetrieveAsync(q, request);
            IReadOnlyList<ScoredChunk> Keyword(string q)
            {
                using var snapshot = store.AcquireSnapshot();
                return snapshot.Keyword.Search(q, K);
            }
#endif
            long hitCount = 0;
            foreach (var q in queries.Take(200))
            {
                hitCount += (await Retrieve(q)).Count + Keyword(q).Count;
            }

            var viaRetriever = new List<double>();
            var viaKeyword = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                foreach (var q in queries)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    hitCount += (await Retrieve(q)).Count;
                    viaRetriever.Add(BenchUtil.Ms(Stopwatch.GetTimestamp() - t0));
                    t0 = Stopwatch.GetTimestamp();
                    hitCount += Keyword(q).Count;
                    viaKeyword.Add(BenchUtil.Ms(Stopwatch.GetTimestamp() - t0));
                }
            }

            viaRetriever.Sort();
            viaKeyword.Sort();
            Console.WriteLine($"bm25-query-latency {Variant}: SciFact {chunks.Count} docs, {queries.Count} queries x {rounds} rounds, top-{K}, 1 thread, {hitCount} hits");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"retriever p50_ms={BenchUtil.Percentile(viaRetriever, 50):F3} p99_ms={BenchUtil.Percentile(viaRetriever, 99):F3} mean_ms={viaRetriever.Average():F3}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"keyword p50_ms={BenchUtil.Percentile(viaKeyword, 50):F3} p99_ms={BenchUtil.Percentile(viaKeyword, 99):F3} mean_ms={viaKeyword.Average():F3}"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        return 0;
    }
}
