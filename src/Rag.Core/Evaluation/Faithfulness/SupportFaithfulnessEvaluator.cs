using System.Globalization;
using System.Numerics.Tensors;
using Lucene.Net.Analysis.En;
using Microsoft.Extensions.AI;
using Rag.Core.Evaluation.Internal;
using Rag.Core.Evaluation.Summarization;

namespace Rag.Core.Evaluation.Faithfulness;

/// <summary>
/// Deterministic faithfulness with no chat model: every answer sentence is scored by its support in the context,
/// <c>(1 - w) × lexical + w × semantic</c>, where lexical support is the share of the sentence's content words
/// (ROUGE tokens, Porter-stemmed, stop words dropped) found anywhere in the context, and semantic support is the cosine
/// similarity of the sentence's embedding to the closest context sentence (clamped to 0..1). The answer's score is the
/// mean over sentences weighted by their content words, so a long hallucinated sentence weighs more than "Sure!".
/// </summary>
public sealed class SupportFaithfulnessEvaluator : IFaithfulnessEvaluator
{
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;

    /// <summary>Creates the evaluator.</summary>
    /// <param name="options">Weights and thresholds; null takes the defaults.</param>
    /// <param name="embedder">The sentence embedder for semantic support; required unless <see cref="SupportFaithfulnessOptions.SemanticWeight"/> is 0.</param>
    /// <exception cref="ArgumentException">A semantic weight is set but no embedder is given.</exception>
    public SupportFaithfulnessEvaluator(SupportFaithfulnessOptions? options = null, IEmbeddingGenerator<string, Embedding<float>>? embedder = null)
    {
        Options = options ?? new SupportFaithfulnessOptions();
        Options.Validate();
        if (Options.SemanticWeight > 0 && embedder is null)
        {
            throw new ArgumentException(
                $"Semantic support needs an embedding generator (SemanticWeight is {Options.SemanticWeight.ToString(CultureInfo.InvariantCulture)}); pass one, or set SemanticWeight to 0 for lexical support only.",
                nameof(embedder));
        }

        _embedder = Options.SemanticWeight > 0 ? embedder : null;
    }

    /// <summary>The settings in use.</summary>
    public SupportFaithfulnessOptions Options { get; }

    /// <inheritdoc />
    public string Name => _embedder is null ? "support-lexical" : "support";

    /// <inheritdoc />
    public async Task<FaithfulnessResult> EvaluateAsync(string answer, IReadOnlyList<string> contexts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(contexts);
        var contextTokens = new HashSet<string>(contexts.SelectMany(c => RougeMetric.TokenizeText(c, Options.UseStemmer)), StringComparer.Ordinal);
        var sentences = SentenceSplitter.Split(answer)
            .Select(s => (Text: s, Content: ContentTokens(s)))
            .Where(s => s.Content.Count > 0)
            .ToList();
        if (sentences.Count == 0)
        {
            return new FaithfulnessResult(1.0, []);
        }

        double[]? semantic = null;
        if (_embedder is not null)
        {
            semantic = await SemanticSupportAsync(sentences.Select(s => s.Text).ToList(), contexts, cancellationToken).ConfigureAwait(false);
        }

        var verdicts = new List<ClaimVerdict>(sentences.Count);
        double weighted = 0, weights = 0;
        for (int i = 0; i < sentences.Count; i++)
        {
            var content = sentences[i].Content;
            double lexical = content.Count(contextTokens.Contains) / (double)content.Count;
            double support = semantic is null ? lexical : ((1 - Options.SemanticWeight) * lexical) + (Options.SemanticWeight * semantic[i]);
            string detail = semantic is null
                ? string.Create(CultureInfo.InvariantCulture, $"lexical {lexical:F3}")
                : string.Create(CultureInfo.InvariantCulture, $"lexical {lexical:F3}, semantic {semantic[i]:F3}");
            verdicts.Add(new ClaimVerdict(sentences[i].Text, support, support >= Options.SupportThreshold, content.Count, detail));
            weighted += support * content.Count;
            weights += content.Count;
        }

        return new FaithfulnessResult(weighted / weights, verdicts);
    }

    // Content words: stop words are dropped, unless the sentence has nothing else (then every token counts).
    private List<string> ContentTokens(string sentence)
    {
        var tokens = RougeMetric.TokenizeText(sentence, stem: false);
        var kept = Options.IgnoreStopWords ? tokens.Where(t => !EnglishAnalyzer.DefaultStopSet.Contains(t)).ToList() : tokens;
        if (kept.Count == 0)
        {
            kept = tokens;
        }

        return Options.UseStemmer ? kept.Select(t => t.Length > 3 ? PorterStemmer.Stem(t) : t).ToList() : kept;
    }

    private async Task<double[]> SemanticSupportAsync(List<string> sentences, IReadOnlyList<string> contexts, CancellationToken cancellationToken)
    {
        var contextSentences = contexts.SelectMany(SentenceSplitter.Split).ToList();
        if (contextSentences.Count == 0)
        {
            return new double[sentences.Count];
        }

        var embeddings = await _embedder!.GenerateAsync([.. sentences, .. contextSentences], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (embeddings.Count != sentences.Count + contextSentences.Count)
        {
            throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for {sentences.Count + contextSentences.Count} inputs.");
        }

        var result = new double[sentences.Count];
        for (int i = 0; i < sentences.Count; i++)
        {
            double best = 0;
            for (int j = 0; j < contextSentences.Count; j++)
            {
                best = Math.Max(best, TensorPrimitives.CosineSimilarity(embeddings[i].Vector.Span, embeddings[sentences.Count + j].Vector.Span));
            }

            result[i] = Math.Clamp(best, 0, 1);
        }

        return result;
    }
}
