using System.ComponentModel.DataAnnotations;

namespace Rag.Core.Evaluation.Faithfulness;

/// <summary>
/// Settings of <see cref="SupportFaithfulnessEvaluator"/> (configuration section <c>Rag:Evaluation:Faithfulness</c>).
/// </summary>
public sealed class SupportFaithfulnessOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Rag:Evaluation:Faithfulness";

    /// <summary>
    /// Weight of semantic support (cosine similarity of the sentence to its closest context sentence) against lexical
    /// support (share of its content words found in the context). 0 uses no embedding model.
    /// <value>Default 0.1 (the best of 0, 0.05, 0.1, 0.2, 0.3, 0.5 on BEGIN with all-MiniLM-L6-v2; docs/EVALUATION.md).</value>
    /// </summary>
    [Range(0.0, 1.0)]
    public double SemanticWeight { get; set; } = 0.1;

    /// <summary>Support at or above which a sentence counts as supported. <value>Default 0.5.</value></summary>
    [Range(0.0, 1.0)]
    public double SupportThreshold { get; set; } = 0.5;

    /// <summary>Porter-stem words before matching, as ROUGE's stemmer option does. <value>Default true.</value></summary>
    public bool UseStemmer { get; set; } = true;

    /// <summary>Ignore English stop words (Lucene's list) when measuring lexical support. <value>Default true.</value></summary>
    public bool IgnoreStopWords { get; set; } = true;

    /// <summary>Throws <see cref="ValidationException"/> when a value is out of range.</summary>
    public void Validate() => Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
}
