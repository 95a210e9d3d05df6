namespace Rag.Core.Evaluation.Statistics;

/// <summary>One point of a ROC curve.</summary>
/// <param name="Threshold">Scores at or above it are predicted positive.</param>
/// <param name="FalsePositiveRate">FP / negatives.</param>
/// <param name="TruePositiveRate">TP / positives.</param>
public readonly record struct RocPoint(double Threshold, double FalsePositiveRate, double TruePositiveRate);

/// <summary>
/// Receiver-operating-characteristic analysis of a score against binary labels, as scikit-learn's
/// <c>roc_auc_score</c> computes it: the area under the ROC curve with tied scores counted as half (the trapezoid
/// between tied points), which equals the Mann-Whitney probability that a positive outscores a negative.
/// </summary>
public static class RocCurve
{
    /// <summary>The area under the ROC curve, 0..1.</summary>
    /// <exception cref="ArgumentException">The lengths differ, a score is NaN, or only one class is present.</exception>
    public static double Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var points = Points(scores, labels);
        double area = 0;
        for (int i = 1; i < points.Count; i++)
        {
            area += (points[i].FalsePositiveRate - points[i - 1].FalsePositiveRate) * (points[i].TruePositiveRate + points[i - 1].TruePositiveRate) / 2;
        }

        return area;
    }

    /// <summary>The ROC curve from (0, 0) to (1, 1), one point per distinct score, highest threshold first.</summary>
    public static IReadOnlyList<RocPoint> Points(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Count != labels.Count)
        {
            throw new ArgumentException($"{scores.Count} scores but {labels.Count} labels.", nameof(labels));
        }

        if (scores.Any(double.IsNaN))
        {
            throw new ArgumentException("A score is NaN.", nameof(scores));
        }

        int positives = labels.Count(l => l), negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException("ROC needs both positive and negative labels.", nameof(labels));
        }

        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        var points = new List<RocPoint> { new(double.PositiveInfinity, 0, 0) };
        int tp = 0, fp = 0;
        for (int k = 0; k < order.Length; k++)
        {
            if (labels[order[k]])
            {
                tp++;
            }
            else
            {
                fp++;
            }

            // One point per distinct score: tied scores move the curve diagonally, which is what counts ties as half.
            if (k + 1 == order.Length || scores[order[k + 1]] != scores[order[k]])
            {
                points.Add(new RocPoint(scores[order[k]], fp / (double)negatives, tp / (double)positives));
            }
        }

        return points;
    }
}
