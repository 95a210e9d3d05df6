namespace Rag.Core.Evaluation.Translation;

/// <summary>A BLEU score and the statistics it was computed from (sacreBLEU's <c>BLEUScore</c>).</summary>
/// <param name="Score">BLEU on sacreBLEU's 0-100 scale.</param>
/// <param name="Matches">Clipped n-gram matches per order (1-based order at index order - 1), before smoothing.</param>
/// <param name="Totals">Hypothesis n-grams per order, before smoothing.</param>
/// <param name="Precisions">The (smoothed) n-gram precisions on a 0-100 scale.</param>
/// <param name="BrevityPenalty">exp(1 - r/c) when the hypothesis is shorter than the reference, else 1.</param>
/// <param name="HypothesisLength">Hypothesis tokens (c).</param>
/// <param name="ReferenceLength">Closest reference tokens (r); ties go to the shorter reference.</param>
public sealed record BleuScore(
    double Score,
    IReadOnlyList<long> Matches,
    IReadOnlyList<long> Totals,
    IReadOnlyList<double> Precisions,
    double BrevityPenalty,
    long HypothesisLength,
    long ReferenceLength)
{
    /// <summary>Hypothesis length over reference length (0 when the reference is empty).</summary>
    public double LengthRatio => ReferenceLength == 0 ? 0 : HypothesisLength / (double)ReferenceLength;
}
