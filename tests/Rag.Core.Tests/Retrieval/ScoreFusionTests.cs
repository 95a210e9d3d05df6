using Rag.Core.Retrieval;

namespace Rag.Core.Tests.Retrieval;

public class ScoreFusionTests
{
    [Fact]
    public void Rrf_sums_reciprocal_ranks()
    {
        var fused = ScoreFusion.Rrf<string>([["x", "y", "z"], ["y", "w"]], k: 60);
        Assert.Equal(["y", "x", "w", "z"], fused.Select(f => f.Key));
        Assert.Equal((1.0 / 62) + (1.0 / 61), fused[0].Score, 12);
        Assert.Equal(1.0 / 61, fused[1].Score, 12);
        Assert.Equal(1.0 / 62, fused[2].Score, 12);
        Assert.Equal(1.0 / 63, fused[3].Score, 12);
    }

    [Fact]
    public void Rrf_k_changes_the_balance_between_top_and_agreement()
    {
        // With k = 0, being first in one list (1/1) beats being second in both (1/2 + 1/2 ties; ordinal breaks it).
        var lists = new List<IReadOnlyList<string>> { new[] { "a", "c" }, new[] { "b", "c" } };
        Assert.Equal("a", ScoreFusion.Rrf(lists, k: 0)[0].Key);
        Assert.Equal("c", ScoreFusion.Rrf(lists, k: 60)[0].Key);
    }

    [Fact]
    public void WeightedMinMax_normalizes_each_list_to_0_1()
    {
        var fused = ScoreFusion.WeightedMinMax<string>(
        [
            ([("x", 10.0), ("y", 5.0), ("z", 0.0)], 0.5),
            ([("y", 0.9), ("w", 0.1)], 0.5),
        ]);
        Assert.Equal(["y", "x", "w", "z"], fused.Select(f => f.Key));
        Assert.Equal(0.75, fused[0].Score, 12);
        Assert.Equal(0.5, fused[1].Score, 12);
        Assert.Equal(0.0, fused[2].Score, 12);

        var single = ScoreFusion.WeightedMinMax<string>([([("only", 3.0)], 2.0)]);
        Assert.Equal(2.0, single[0].Score, 12);
    }
}
