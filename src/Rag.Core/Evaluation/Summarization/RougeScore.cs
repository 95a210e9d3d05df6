namespace Rag.Core.Evaluation.Summarization;

/// <summary>Precision, recall and F1 of one ROUGE type (rouge-score's <c>Score</c>).</summary>
/// <param name="Precision">Matches over prediction units.</param>
/// <param name="Recall">Matches over target units.</param>
/// <param name="F1">Harmonic mean of precision and recall (0 when both are 0).</param>
public sealed record RougeScore(double Precision, double Recall, double F1)
{
    /// <summary>All zero.</summary>
    public static RougeScore Zero { get; } = new(0, 0, 0);

    internal static RougeScore From(double precision, double recall) =>
        new(precision, recall, precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0);
}

/// <summary>The four ROUGE scores of one prediction against one target.</summary>
/// <param name="Rouge1">Unigram overlap.</param>
/// <param name="Rouge2">Bigram overlap.</param>
/// <param name="RougeL">Longest common subsequence over the whole text.</param>
/// <param name="RougeLsum">Summary-level LCS: union LCS of each target line against all prediction lines.</param>
public sealed record RougeScores(RougeScore Rouge1, RougeScore Rouge2, RougeScore RougeL, RougeScore RougeLsum);
