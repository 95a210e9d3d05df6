using System.Globalization;
using Rag.Core.Evaluation.Reports;

namespace Rag.Core.Evaluation.Suites;

/// <summary>
/// Turns a <see cref="RetrievalEvaluationReport"/> into the shared <see cref="EvaluationReport"/> form (JSON, markdown,
/// PNG), with nDCG@k, Recall@k and MRR@k against k, computed from the runs by <see cref="RetrievalMetrics"/>.
/// </summary>
public static class RetrievalReport
{
    /// <summary>The cut-offs of the metric-against-k chart.</summary>
    public static IReadOnlyList<int> CutOffs { get; } = [1, 3, 5, 10, 20, 50, 100];

    /// <summary>Builds the report.</summary>
    public static EvaluationReport Create(BeirDataset dataset, RetrievalEvaluationSettings settings, RetrievalEvaluationReport result)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(result);
        var ks = CutOffs.Where(k => k <= settings.Depth).ToList();
        double Mean(Func<IReadOnlyList<(string DocId, double Score)>, IReadOnlyDictionary<string, int>, int, double> metric, int k) =>
            dataset.Qrels.Count == 0 ? 0 : dataset.Qrels.Average(q => metric(result.Runs.GetValueOrDefault(q.Key) ?? [], q.Value, k));
        var ndcg = ks.Select(k => Mean(RetrievalMetrics.NdcgAtK, k)).ToList();
        var recall = ks.Select(k => Mean(RetrievalMetrics.RecallAtK, k)).ToList();
        var mrr = ks.Select(k => Mean(RetrievalMetrics.MrrAtK, k)).ToList();
        var x = ks.Select(k => (double)k).ToList();
        string retriever = settings.Retriever.ToString().ToLowerInvariant();
        var o = settings.Retrieval;
        return new EvaluationReport(
            "retrieval",
            $"Retrieval on {Path.GetFileName(Path.TrimEndingDirectorySeparator(dataset.Directory))} ({dataset.Split}), {retriever}",
            [
                new("nDCG@10", result.Scores.NdcgAt10),
                new("Recall@100", result.Scores.RecallAt100),
                new("MRR@10", result.Scores.MrrAt10),
                new("queries", result.Scores.Queries),
                new("corpus documents", result.CorpusSize),
            ],
            new Dictionary<string, string>
            {
                ["dataset"] = Path.GetFullPath(dataset.Directory),
                ["split"] = dataset.Split,
                ["retriever"] = retriever,
                ["k1, b"] = string.Create(CultureInfo.InvariantCulture, $"{settings.Lucene.K1}, {settings.Lucene.B}"),
                ["analysis"] = settings.Lucene.Analysis.ToString(),
                ["embedder"] = result.Embedder is { } e ? string.Create(CultureInfo.InvariantCulture, $"{e.ModelId} ({e.Dimension} dimensions)") : "-",
                ["fusion"] = settings.Retriever != Retrieval.RetrievalMode.Hybrid ? "-"
                    : o.Fusion == Retrieval.FusionMethod.Rrf ? $"{o.Fusion} (rrf k {o.RrfK})"
                    : string.Create(CultureInfo.InvariantCulture, $"{o.Fusion} (bm25 {o.Bm25Weight}, vector {o.VectorWeight})"),
                ["depth"] = settings.Depth.ToString(CultureInfo.InvariantCulture),
                ["index seconds"] = result.IndexSeconds.ToString("F1", CultureInfo.InvariantCulture),
                ["search seconds"] = result.SearchSeconds.ToString("F2", CultureInfo.InvariantCulture),
            })
        {
            Seconds = result.IndexSeconds + result.SearchSeconds,
            Charts = [new ReportChart("Metrics against k", "k (top-k cut-off)", "score", [new("nDCG@k", x, ndcg), new("Recall@k", x, recall), new("MRR@k", x, mrr)])],
            Items = result.PerQuery.Select(p => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
            {
                ["query"] = p.Key,
                ["nDCG@10"] = p.Value.NdcgAt10,
                ["Recall@100"] = p.Value.RecallAt100,
                ["MRR@10"] = p.Value.MrrAt10,
            }).ToList(),
        };
    }
}
