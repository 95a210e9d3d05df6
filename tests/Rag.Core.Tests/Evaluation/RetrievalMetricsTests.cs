using Rag.Core.Evaluation;

namespace Rag.Core.Tests.Evaluation;

public class RetrievalMetricsTests
{
    private static readonly Dictionary<string, int> Binary = new() { ["d1"] = 1, ["d2"] = 1, ["n"] = 0 };
    private static readonly List<(string, double)> Run = [("x", 0.9), ("d1", 0.8), ("y", 0.7), ("d2", 0.6)];

    [Fact]
    public void Ndcg_uses_linear_gain_log2_discount_and_ideal_from_qrels()
    {
        // DCG = 1/log2(3) + 1/log2(5) = 1.061606; IDCG = 1 + 1/log2(3) = 1.630930.
        Assert.Equal(0.650921, RetrievalMetrics.NdcgAtK(Run, Binary, 10), 6);
        // Cut at 2: only d1 counts; the ideal is cut at 2 as well.
        Assert.Equal(0.630930 / 1.630930, RetrievalMetrics.NdcgAtK(Run, Binary, 2), 6);
        // Graded: run [b(1), a(2)]: DCG = 1 + 2/log2(3) = 2.261860; IDCG = 2 + 1/log2(3) = 2.630930.
        var graded = new Dictionary<string, int> { ["a"] = 2, ["b"] = 1 };
        Assert.Equal(0.859719, RetrievalMetrics.NdcgAtK([("b", 2.0), ("a", 1.0)], graded, 10), 6);
        Assert.Equal(1.0, RetrievalMetrics.NdcgAtK([("a", 2.0), ("b", 1.0)], graded, 10), 9);
    }

    [Fact]
    public void Recall_counts_relevant_in_top_k_over_all_relevant()
    {
        Assert.Equal(1.0, RetrievalMetrics.RecallAtK(Run, Binary, 100));
        Assert.Equal(0.5, RetrievalMetrics.RecallAtK(Run, Binary, 2));
        Assert.Equal(0.0, RetrievalMetrics.RecallAtK(Run, Binary, 1));
    }

    [Fact]
    public void Mrr_is_reciprocal_rank_of_first_relevant_within_k()
    {
        Assert.Equal(0.5, RetrievalMetrics.MrrAtK(Run, Binary, 10));
        Assert.Equal(0.0, RetrievalMetrics.MrrAtK(Run, Binary, 1));
        Assert.Equal(0.0, RetrievalMetrics.MrrAtK([], Binary, 10));
    }

    [Fact]
    public void Run_order_comes_from_scores_with_trec_eval_tie_break()
    {
        // The list order is ignored: scores rank it. Equal scores: trec_eval puts the larger doc id first.
        var shuffled = new List<(string, double)> { ("d2", 0.6), ("y", 0.7), ("x", 0.9), ("d1", 0.8) };
        Assert.Equal(RetrievalMetrics.NdcgAtK(Run, Binary, 10), RetrievalMetrics.NdcgAtK(shuffled, Binary, 10));
        var qrels = new Dictionary<string, int> { ["a"] = 1 };
        Assert.Equal(0.5, RetrievalMetrics.MrrAtK([("a", 1.0), ("b", 1.0)], qrels, 10));
    }

    [Fact]
    public void Evaluate_averages_over_judged_queries_and_missing_runs_score_zero()
    {
        var qrels = new Dictionary<string, IReadOnlyDictionary<string, int>>
        {
            ["q1"] = new Dictionary<string, int> { ["a"] = 1 },
            ["q2"] = new Dictionary<string, int> { ["b"] = 1 },
        };
        var runs = new Dictionary<string, IReadOnlyList<(string, double)>>
        {
            ["q1"] = [("a", 1.0)],
            ["q3"] = [("b", 1.0)], // not judged: ignored
        };
        var s = RetrievalMetrics.Evaluate(runs, qrels);
        Assert.Equal(0.5, s.NdcgAt10);
        Assert.Equal(0.5, s.RecallAt100);
        Assert.Equal(0.5, s.MrrAt10);
        Assert.Equal(2, s.Queries);
    }
}
