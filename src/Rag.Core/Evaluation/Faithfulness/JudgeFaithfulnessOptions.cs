using System.ComponentModel.DataAnnotations;

namespace Rag.Core.Evaluation.Faithfulness;

/// <summary>Settings of <see cref="JudgeFaithfulnessEvaluator"/>.</summary>
public sealed class JudgeFaithfulnessOptions
{
    /// <summary>Most claims taken from one answer. <value>Default 8.</value></summary>
    [Range(1, 100)]
    public int MaxClaims { get; set; } = 8;

    /// <summary>Most tokens the judge may write for the claim list. <value>Default 256.</value></summary>
    [Range(16, 8192)]
    public int MaxClaimTokens { get; set; } = 256;

    /// <summary>Most tokens the judge may write for one verdict. <value>Default 32.</value></summary>
    [Range(8, 1024)]
    public int MaxVerdictTokens { get; set; } = 32;

    /// <summary>
    /// Let the judge split the answer into claims (RAGAS); false uses the answer's sentences as claims, which saves a
    /// call and suits judges too weak to list claims. <value>Default true.</value>
    /// </summary>
    public bool ExtractClaims { get; set; } = true;

    /// <summary>Context characters shown to the judge; longer context is cut. <value>Default 4,000.</value></summary>
    [Range(100, 1_000_000)]
    public int MaxContextCharacters { get; set; } = 4000;

    /// <summary>Throws <see cref="ValidationException"/> when a value is out of range.</summary>
    public void Validate() => Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
}
