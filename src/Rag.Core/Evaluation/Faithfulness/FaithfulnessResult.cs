namespace Rag.Core.Evaluation.Faithfulness;

/// <summary>How one claim (or sentence) of an answer fared against the context.</summary>
/// <param name="Claim">The claim or answer sentence.</param>
/// <param name="Support">Support in the context, 0..1 (a judge's verdict is 0 or 1).</param>
/// <param name="Supported">Whether the claim counts as supported.</param>
/// <param name="Weight">Its weight in the answer's score (content tokens for the support variant, 1 for the judge).</param>
/// <param name="Detail">How the verdict was reached (component scores, or the judge's raw reply when it could not be read).</param>
public sealed record ClaimVerdict(string Claim, double Support, bool Supported, double Weight, string? Detail = null);

/// <summary>The faithfulness of one answer to its context.</summary>
/// <param name="Score">0..1: the weighted mean support of the claims; 1 when the answer makes no claim.</param>
/// <param name="Claims">Every claim with its verdict.</param>
/// <param name="Unparsed">Judge replies that could not be read (0 for deterministic variants); they count as unsupported.</param>
public sealed record FaithfulnessResult(double Score, IReadOnlyList<ClaimVerdict> Claims, int Unparsed = 0)
{
    /// <summary>The judge's claim-list reply when it could not be read (the answer's sentences were used instead); else null.</summary>
    public string? UnreadableClaimList { get; init; }
}

/// <summary>Scores how well an answer is supported by the context it was given.</summary>
public interface IFaithfulnessEvaluator
{
    /// <summary>A short name for reports (for example <c>support</c> or <c>judge</c>).</summary>
    string Name { get; }

    /// <summary>Scores <paramref name="answer"/> against <paramref name="contexts"/>.</summary>
    Task<FaithfulnessResult> EvaluateAsync(string answer, IReadOnlyList<string> contexts, CancellationToken cancellationToken = default);
}
