using System.ComponentModel.DataAnnotations;

namespace Rag.Core.Answering;

/// <summary>Options of <see cref="RagAnswerer"/>.</summary>
public sealed class AnswerOptions
{
    /// <summary>Most sources put in the prompt. Default 4.</summary>
    [Range(1, 100)]
    public int MaxSources { get; set; } = 4;

    /// <summary>Characters of each source kept in the prompt; longer sources are cut at a word boundary. Default 1,200.</summary>
    [Range(50, 1_000_000)]
    public int MaxSourceCharacters { get; set; } = 1200;

    /// <summary>Most tokens generated for the answer. Default 256.</summary>
    [Range(1, 1_000_000)]
    public int MaxOutputTokens { get; set; } = 256;

    /// <summary>Sampling temperature; 0 is greedy and deterministic. Default 0.</summary>
    [Range(0.0, 5.0)]
    public float Temperature { get; set; }

    /// <summary>Instruction placed before the sources.</summary>
    [Required]
    public string Instruction { get; set; } =
        "Answer the question using only the numbered sources below. Cite the sources you use as [1], [2], and so on. " +
        "If the sources do not contain the answer, say that you do not know.";

    /// <summary>Throws <see cref="ValidationException"/> when a value is out of range.</summary>
    public void Validate() => Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
}
