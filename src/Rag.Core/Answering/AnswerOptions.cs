using System.ComponentModel.DataAnnotations;

namespace Rag.Core.Answering;

/// <summary>Options of <see cref="RagAnswerer"/> and <see cref="ExtractiveAnswerer"/> (section <c>Rag:Answer</c>).</summary>
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

    /// <summary>
    /// The model's context in tokens: prompt plus answer. Sources are packed into what is left after the answer
    /// (<see cref="MaxOutputTokens"/>), the instruction, the question and <see cref="PromptOverheadTokens"/>. Default 2,048.
    /// </summary>
    [Range(64, 10_000_000)]
    public int ContextTokens { get; set; } = 2048;

    /// <summary>Tokens kept free for the chat template's markers and roles. Default 64.</summary>
    [Range(0, 100_000)]
    public int PromptOverheadTokens { get; set; } = 64;

    /// <summary>
    /// Least relevance for a retrieved chunk to become a source: the cosine similarity of the question's and the chunk's
    /// embeddings when the answerer has an embedding generator, else the share of the question's content words found in
    /// the chunk. When no chunk passes, the answer is <see cref="NoAnswerText"/> and the model is not called. Default 0.2.
    /// </summary>
    [Range(-1.0, 1.0)]
    public double MinRelevance { get; set; } = 0.2;

    /// <summary>The answer when no source is relevant.</summary>
    [Required]
    public string NoAnswerText { get; set; } = "I don't know: none of the retrieved sources is relevant to the question.";

    /// <summary>Sampling temperature; 0 is greedy and deterministic. Default 0.</summary>
    [Range(0.0, 5.0)]
    public float Temperature { get; set; }

    /// <summary>Sentences an extractive answer returns. Default 3.</summary>
    [Range(1, 100)]
    public int ExtractiveSentences { get; set; } = 3;

    /// <summary>
    /// Weight of the embedding similarity in the extractive sentence score, <c>(1 - w) × BM25 (min-max scaled) + w × cosine</c>;
    /// 0 ranks by BM25 alone. Default 0.5.
    /// </summary>
    [Range(0.0, 1.0)]
    public double ExtractiveSemanticWeight { get; set; } = 0.5;

    /// <summary>Instruction placed before the sources.</summary>
    [Required]
    public string Instruction { get; set; } =
        "Answer the question using only the numbered sources below. Cite the sources you use as [1], [2], and so on. " +
        "If the sources do not contain the answer, say that you do not know.";

    /// <summary>Throws <see cref="ValidationException"/> when a value is out of range.</summary>
    public void Validate()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        if (MaxOutputTokens + PromptOverheadTokens >= ContextTokens)
        {
            throw new ValidationException(
                $"ContextTokens ({ContextTokens}) must exceed MaxOutputTokens ({MaxOutputTokens}) plus PromptOverheadTokens ({PromptOverheadTokens}).");
        }
    }
}
