using Rag.Core.Evaluation.Faithfulness;
using Rag.Core.Evaluation.QuestionAnswering;

namespace Rag.Core.Evaluation.Relevance;

/// <summary>
/// Context precision and context recall in the RAGAS sense, computed against a reference (a gold answer), with no
/// chat model: relevance of a retrieved context is decided by whether it contains a gold answer (SQuAD-normalized),
/// and recall by how much of the reference the contexts support.
/// </summary>
public static class ContextMetrics
{
    /// <summary>
    /// RAGAS context precision: the mean of precision@k over the ranks k that hold a relevant context,
    /// <c>Σ_k (precision@k × relevant_k) / relevant contexts</c>; 0 when none is relevant. Rewards rankings that put
    /// relevant contexts first.
    /// </summary>
    /// <param name="relevantByRank">Relevance of each retrieved context, best-ranked first.</param>
    public static double Precision(IReadOnlyList<bool> relevantByRank)
    {
        ArgumentNullException.ThrowIfNull(relevantByRank);
        int relevantSoFar = 0;
        double sum = 0;
        for (int k = 0; k < relevantByRank.Count; k++)
        {
            if (relevantByRank[k])
            {
                relevantSoFar++;
                sum += relevantSoFar / (double)(k + 1);
            }
        }

        return relevantSoFar == 0 ? 0 : sum / relevantSoFar;
    }

    /// <summary>
    /// Whether <paramref name="context"/> contains one of <paramref name="goldAnswers"/> as whole normalized tokens
    /// (lower case, no punctuation or articles, as SQuAD normalizes), the usual relevance test for extractive QA.
    /// </summary>
    public static bool ContainsAnswer(string context, IEnumerable<string> goldAnswers)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(goldAnswers);
        string haystack = " " + SquadMetrics.Normalize(context) + " ";
        foreach (var gold in goldAnswers)
        {
            string needle = SquadMetrics.Normalize(gold);
            if (needle.Length > 0 && haystack.Contains(" " + needle + " ", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Context precision of a ranked list against gold answers: <see cref="Precision"/> over <see cref="ContainsAnswer"/>.</summary>
    public static double PrecisionByAnswer(IReadOnlyList<string> rankedContexts, IReadOnlyCollection<string> goldAnswers)
    {
        ArgumentNullException.ThrowIfNull(rankedContexts);
        return Precision(rankedContexts.Select(c => ContainsAnswer(c, goldAnswers)).ToList());
    }

    /// <summary>
    /// RAGAS context recall: the share of the reference's sentences that the contexts support, each judged by
    /// <paramref name="support"/> (a sentence counts when its verdict is supported). 1 for an empty reference.
    /// </summary>
    public static async Task<double> RecallAsync(
        string reference, IReadOnlyList<string> contexts, IFaithfulnessEvaluator support, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(contexts);
        ArgumentNullException.ThrowIfNull(support);
        var result = await support.EvaluateAsync(reference, contexts, cancellationToken).ConfigureAwait(false);
        return result.Claims.Count == 0 ? 1.0 : result.Claims.Count(c => c.Supported) / (double)result.Claims.Count;
    }
}
