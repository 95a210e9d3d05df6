namespace Rag.Core.Retrieval;

/// <summary>Rank fusion functions. Input lists are ranked best first; keys identify items across lists.</summary>
public static class ScoreFusion
{
    /// <summary>
    /// Reciprocal rank fusion: score(d) = Σ over lists containing d of 1 / (k + rank), rank counted from 1.
    /// Returns items by fused score descending, ties broken by key (ordinal) for determinism.
    /// </summary>
    public static IReadOnlyList<(TKey Key, double Score)> Rrf<TKey>(IEnumerable<IReadOnlyList<TKey>> rankings, int k = 60)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(rankings);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var scores = new Dictionary<TKey, double>();
        foreach (var ranking in rankings)
        {
            for (int i = 0; i < ranking.Count; i++)
            {
                scores[ranking[i]] = scores.GetValueOrDefault(ranking[i]) + (1.0 / (k + i + 1));
            }
        }

        return Sorted(scores);
    }

    /// <summary>
    /// Weighted sum of min-max-normalized scores: each list's scores map to (s - min) / (max - min) (all 1 when every
    /// score is equal), and an item missing from a list gets 0 from it.
    /// </summary>
    public static IReadOnlyList<(TKey Key, double Score)> WeightedMinMax<TKey>(
        IEnumerable<(IReadOnlyList<(TKey Key, double Score)> Ranking, double Weight)> lists)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(lists);
        var scores = new Dictionary<TKey, double>();
        foreach (var (ranking, weight) in lists)
        {
            if (ranking.Count == 0)
            {
                continue;
            }

            double min = ranking.Min(r => r.Score);
            double max = ranking.Max(r => r.Score);
            double range = max - min;
            foreach (var (key, score) in ranking)
            {
                double normalized = range > 0 ? (score - min) / range : 1.0;
                scores[key] = scores.GetValueOrDefault(key) + (weight * normalized);
            }
        }

        return Sorted(scores);
    }

    private static List<(TKey Key, double Score)> Sorted<TKey>(Dictionary<TKey, double> scores)
        where TKey : notnull
    {
        var list = scores.Select(p => (p.Key, p.Value)).ToList();
        list.Sort(static (a, b) =>
        {
            int c = b.Item2.CompareTo(a.Item2);
            return c != 0 ? c : Comparer<TKey>.Default.Compare(a.Item1, b.Item1);
        });
        return list;
    }
}
