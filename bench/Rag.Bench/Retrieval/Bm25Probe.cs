using System.Diagnostics;
using System.Globalization;
using Rag.Core.Documents;
using Rag.Core.Evaluation;
using Rag.Core.Indexing;

namespace Rag.Bench.Retrieval;

/// <summary>bm25-grid: nDCG@10 of BM25 on a BEIR dataset over analysis / k1 / b / title-boost settings (tuning aid).</summary>
internal static class Bm25Probe
{
    public static async Task<int> Run(string[] args)
    {
        string dir = BenchUtil.Arg(args, "--dataset", "");
        string split = BenchUtil.Arg(args, "--split", "test");
        var ds = await BeirDataset.LoadAsync(dir, split);
        var analyses = BenchUtil.Arg(args, "--analysis", "Porter").Split(',').Select(Enum.Parse<EnglishAnalysis>).ToArray();
        var k1s = BenchUtil.Arg(args, "--k1", "0.9").Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var bs = BenchUtil.Arg(args, "--b", "0.4").Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var boosts = BenchUtil.Arg(args, "--title-boost", "0").Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        foreach (var analysis in analyses)
        foreach (var k1 in k1s)
        foreach (var b in bs)
        foreach (var boost in boosts)
        {
            var sw = Stopwatch.StartNew();
            using var index = LuceneBm25Index.CreateInMemory(new LuceneIndexOptions { K1 = k1, B = b, TitleBoost = boost, Analysis = analysis });
            index.Upsert(ds.Corpus.Select(d => new Chunk(Chunk.MakeId(d.Id, 0), d.Id, 0, d.Text, 0, d.Text.Length) { Title = d.Title }));
            index.Commit();
            var runs = new Dictionary<string, IReadOnlyList<(string, double)>>();
            foreach (var (qid, text) in ds.Queries)
            {
                runs[qid] = index.SearchIds(text, 101)
                    .Select(h => (h.ChunkId[..h.ChunkId.LastIndexOf('#')], (double)h.Score))
                    .Where(h => h.Item1 != qid).Take(100).ToList();
            }

            var s = RetrievalMetrics.Evaluate(runs, ds.Qrels);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"analysis={analysis} k1={k1} b={b} titleBoost={boost} nDCG@10={s.NdcgAt10:F4} Recall@100={s.RecallAt100:F4} MRR@10={s.MrrAt10:F4} ({sw.Elapsed.TotalSeconds:F1} s)"));
        }

        return 0;
    }
}
