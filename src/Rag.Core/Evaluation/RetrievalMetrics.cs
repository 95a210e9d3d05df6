namespace Rag.Core.Evaluation;

/// <summary>
/// Ranking metrics as pytrec_eval (trec_eval) and BEIR compute them. A run is a list of (document id, score); it is
/// ranked by score descending, ties broken by document id descending, as trec_eval does. A judgment counts as relevant
/// when its grade is at least 1.
/// </summary>
public static class RetrievalMetrics
{
    /// <summary>
    /// nDCG@k (trec_eval <c>ndcg_cut_k</c>): gain = grade (linear), discount = log2(rank + 1); the ideal ranking sorts the
    /// judged grades, cut at k. 0 when the query has no relevant document.
    /// </summary>
    public static double NdcgAtK(IReadOnlyList<(string DocId, double Score)> run, IReadOnlyDictionary<string, int> qrels, int k)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(qrels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var ranked = Rank(run);
        double dcg = 0;
        for (int i = 0; i < Math.Min(k, ranked.Count); i++)
        {
            int grade = qrels.GetValueOrDefault(ranked[i].DocId);
            if (grade > 0)
            {
                dcg += grade / Math.Log2(i + 2);
            }
        }

        var ideal = qrels.Values.Where(g => g > 0).OrderByDescending(g => g).Take(k).ToList();
        double idcg = 0;
        for (int i = 0; i < ideal.Count; i++)
        {
            idcg += ideal[i] / Math.Log2(i + 2);
        }

        return idcg == 0 ? 0 : dcg / idcg;
    }

    /// <summary>Recall@k (trec_eval <c>recall_k</c>): relevant documents in the top k over all relevant documents.</summary>
    public static double RecallAtK(IReadOnlyList<(string DocId, double Score)> run, IReadOnlyDictionary<string, int> qrels, int k)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(qrels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        int relevant = qrels.Values.Count(g => g > 0);
        if (relevant == 0)
        {
            return 0;
        }

        var ranked = Rank(run);
        int found = ranked.Take(k).Count(h => qrels.GetValueOrDefault(h.DocId) > 0);
        return found / (double)relevant;
    }

    /// <summary>MRR@k (BEIR's <c>MRR@k</c>): 1 / rank of the first relevant document within the top k, else 0.</summary>
    public static double MrrAtK(IReadOnlyList<(string DocId, double Score)> run, IReadOnlyDictionary<string, int> qrels, int k)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(qrels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var ranked = Rank(run);
        for (int i = 0; i < Math.Min(k, ranked.Count); i++)
        {
            if (qrels.GetValueOrDefault(ranked[i].DocId) > 0)
            {
                return 1.0 / (i + 1);
            }
        }

        return 0;
    }

    /// <summary>
    /// Averages nDCG@10, Recall@100 and MRR@10 over every judged query in <paramref name="qrels"/>; a query missing from
    /// <paramref name="runs"/> scores 0.
    /// </summary>
    public static RetrievalScores Evaluate(
        IReadOnlyDictionary<string, IReadOnlyList<(string DocId, double Score)>> runs,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> qrels)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(qrels);
        double ndcg = 0, recall = 0, mrr = 0;
        foreach (var (qid, judged) in qrels)
        {
            var run = runs.GetValueOrDefault(qid) ?? [];
            ndcg += NdcgAtK(run, judged, 10);
            recall += RecallAtK(run, judged, 100);
            mrr += MrrAtK(run, judged, 10);
        }

        int n = Math.Max(1, qrels.Count);
        return new RetrievalScores(ndcg / n, recall / n, mrr / n, qrels.Count);
    }

    private static List<(string DocId, double Score)> Rank(IReadOnlyList<(string DocId, double Score)> run)
    {
        var ranked = run.ToList();
        ranked.Sort(static (a, b) =>
        {
            int c = b.Score.CompareTo(a.Score);
            return c != 0 ? c : string.CompareOrdinal(b.DocId, a.DocId);
        });
        return ranked;
    }
}

/// <summary>Averaged retrieval metrics.</summary>
/// <param name="NdcgAt10">Mean nDCG@10.</param>
/// <param name="RecallAt100">Mean Recall@100.</param>
/// <param name="MrrAt10">Mean MRR@10.</param>
/// <param name="Queries">Number of judged queries averaged over.</param>
public sealed record RetrievalScores(double NdcgAt10, double RecallAt100, double MrrAt10, int Queries);
