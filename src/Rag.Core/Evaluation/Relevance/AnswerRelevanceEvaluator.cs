using System.ComponentModel.DataAnnotations;
using System.Numerics.Tensors;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Rag.Core.Evaluation.Relevance;

/// <summary>How <see cref="AnswerRelevanceEvaluator"/> measures relevance.</summary>
public enum AnswerRelevanceMode
{
    /// <summary>Cosine similarity of the question's and the answer's embeddings; no chat model.</summary>
    Direct,

    /// <summary>RAGAS: a chat model writes questions the answer would answer; their mean cosine similarity to the real question.</summary>
    GeneratedQuestions,
}

/// <summary>Settings of <see cref="AnswerRelevanceEvaluator"/>.</summary>
public sealed class AnswerRelevanceOptions
{
    /// <summary>The method. <value>Default <see cref="AnswerRelevanceMode.Direct"/>.</value></summary>
    public AnswerRelevanceMode Mode { get; set; } = AnswerRelevanceMode.Direct;

    /// <summary>Questions generated per answer in <see cref="AnswerRelevanceMode.GeneratedQuestions"/> mode. <value>Default 3.</value></summary>
    [Range(1, 20)]
    public int Questions { get; set; } = 3;

    /// <summary>Most tokens the chat model may write for the question list. <value>Default 192.</value></summary>
    [Range(16, 4096)]
    public int MaxOutputTokens { get; set; } = 192;
}

/// <summary>The relevance of one answer to its question.</summary>
/// <param name="Score">Mean cosine similarity, clamped to 0..1.</param>
/// <param name="GeneratedQuestions">The questions the chat model wrote (empty in direct mode).</param>
public sealed record AnswerRelevanceResult(double Score, IReadOnlyList<string> GeneratedQuestions);

/// <summary>
/// Answer relevance (RAGAS): does the answer address the question? In direct mode, the cosine similarity of their
/// embeddings; in generated-questions mode, a chat model writes the questions the answer responds to, and the score is
/// their mean similarity to the real question (an answer that drifts off topic produces other questions).
/// </summary>
public sealed class AnswerRelevanceEvaluator
{
    private static readonly JsonElement QuestionsSchema = JsonDocument.Parse(
        """{"type":"object","properties":{"questions":{"type":"array","items":{"type":"string"}}},"required":["questions"]}""").RootElement.Clone();

    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly IChatClient? _chat;

    /// <summary>Creates the evaluator.</summary>
    /// <exception cref="ArgumentException">Generated-questions mode without a chat client.</exception>
    public AnswerRelevanceEvaluator(IEmbeddingGenerator<string, Embedding<float>> embedder, AnswerRelevanceOptions? options = null, IChatClient? chat = null)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        Options = options ?? new AnswerRelevanceOptions();
        Validator.ValidateObject(Options, new ValidationContext(Options), validateAllProperties: true);
        if (Options.Mode == AnswerRelevanceMode.GeneratedQuestions && chat is null)
        {
            throw new ArgumentException("Generated-questions answer relevance needs a chat client; pass one, or use AnswerRelevanceMode.Direct.", nameof(chat));
        }

        _embedder = embedder;
        _chat = chat;
    }

    /// <summary>The settings in use.</summary>
    public AnswerRelevanceOptions Options { get; }

    /// <summary>Scores how well <paramref name="answer"/> addresses <paramref name="question"/>.</summary>
    public async Task<AnswerRelevanceResult> EvaluateAsync(string question, string answer, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.Trim().Length == 0)
        {
            return new AnswerRelevanceResult(0, []);
        }

        List<string> generated = [];
        List<string> compared = [answer];
        if (Options.Mode == AnswerRelevanceMode.GeneratedQuestions)
        {
            var response = await _chat!.GetResponseAsync(
                [
                    new ChatMessage(ChatRole.System,
                        $"Write {Options.Questions} different questions that the answer below would answer. " +
                        "Reply with JSON only: {\"questions\": [\"...\"]}."),
                    new ChatMessage(ChatRole.User, "Answer: " + answer.Trim()),
                ],
                new ChatOptions { Temperature = 0, MaxOutputTokens = Options.MaxOutputTokens, ResponseFormat = ChatResponseFormat.ForJsonSchema(QuestionsSchema, "questions") },
                cancellationToken).ConfigureAwait(false);
            generated = ReadQuestions(response.Text ?? string.Empty).Take(Options.Questions).ToList();
            if (generated.Count == 0)
            {
                // A judge that writes no readable question earns the answer no relevance: the failure shows in the score.
                return new AnswerRelevanceResult(0, []);
            }

            compared = generated;
        }

        var embeddings = await _embedder.GenerateAsync([question, .. compared], cancellationToken: cancellationToken).ConfigureAwait(false);
        double sum = 0;
        for (int i = 1; i < embeddings.Count; i++)
        {
            sum += Math.Clamp(TensorPrimitives.CosineSimilarity(embeddings[0].Vector.Span, embeddings[i].Vector.Span), 0, 1);
        }

        return new AnswerRelevanceResult(sum / compared.Count, generated);
    }

    private static IEnumerable<string> ReadQuestions(string reply)
    {
        int start = reply.IndexOf('{', StringComparison.Ordinal);
        if (start < 0)
        {
            return [];
        }

        try
        {
            using var doc = JsonDocument.Parse(reply[start..]);
            return doc.RootElement.TryGetProperty("questions", out var q) && q.ValueKind == JsonValueKind.Array
                ? q.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!.Trim()).Where(x => x.Length > 0).ToList()
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
