using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Rag.Core.Answering.Internal;
using Rag.Core.Evaluation.Internal;

namespace Rag.Core.Answering;

/// <summary>
/// Answers with the source sentences that best support the question, no generation involved. Every sentence of every
/// source is a candidate; each is scored <c>(1 - w) × BM25 + w × cosine</c>, where BM25 is computed over the candidate
/// sentences and min-max scaled to 0..1, and the cosine compares the sentence's and the question's embeddings (the
/// embedding model, all-MiniLM-L6-v2 by default). <c>w</c> is <see cref="AnswerOptions.ExtractiveSemanticWeight"/>; 0,
/// or no embedder, ranks by BM25 alone.
/// </summary>
public sealed class ExtractiveAnswerer
{
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly AnswerOptions _options;

    /// <summary>Creates the extractive answerer.</summary>
    /// <param name="embedder">The sentence embedder; null ranks by BM25 alone.</param>
    /// <param name="options">Sentence count and semantic weight; null takes the defaults.</param>
    public ExtractiveAnswerer(IEmbeddingGenerator<string, Embedding<float>>? embedder, AnswerOptions? options = null)
    {
        _options = options ?? new AnswerOptions();
        _options.Validate();
        _embedder = _options.ExtractiveSemanticWeight > 0 ? embedder : null;
    }

    /// <summary>True when sentences are ranked with embeddings as well as BM25.</summary>
    public bool UsesEmbeddings => _embedder is not null;

    /// <summary>Ranks the sentences of <paramref name="sources"/> against <paramref name="question"/> and returns the best ones.</summary>
    public async Task<ExtractiveAnswer> AnswerAsync(string question, IReadOnlyList<AnswerSource> sources, CancellationToken cancellationToken = default)
    {
        var ranked = await RankAsync(question, sources, cancellationToken).ConfigureAwait(false);
        return new ExtractiveAnswer(question, ranked.Take(_options.ExtractiveSentences).ToList(), sources);
    }

    /// <summary>Every candidate sentence of <paramref name="sources"/>, best first.</summary>
    public async Task<IReadOnlyList<ExtractedSentence>> RankAsync(string question, IReadOnlyList<AnswerSource> sources, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        ArgumentNullException.ThrowIfNull(sources);
        var candidates = new List<(AnswerSource Source, int Start, int Length, string Text, List<string> Terms)>();
        foreach (var source in sources)
        {
            var text = source.Chunk.Text;
            foreach (var (start, length) in SentenceSplitter.SplitSpans(text))
            {
                var sentence = text.Substring(start, length);
                var terms = SentenceTerms.Of(sentence);
                if (terms.Count > 0)
                {
                    candidates.Add((source, start, length, sentence, terms));
                }
            }
        }

        if (candidates.Count == 0)
        {
            return [];
        }

        var bm25 = new SentenceBm25(candidates.Select(c => c.Terms).ToList());
        var queryTerms = SentenceTerms.Of(question);
        var lexical = candidates.Select((_, i) => bm25.Score(queryTerms, i)).ToArray();
        double min = lexical.Min(), max = lexical.Max();
        double[]? semantic = null;
        if (_embedder is not null)
        {
            var embeddings = await _embedder.GenerateAsync([question, .. candidates.Select(c => c.Text)], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != candidates.Count + 1)
            {
                throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for {candidates.Count + 1} inputs.");
            }

            var q = embeddings[0].Vector;
            semantic = candidates.Select((_, i) => (double)TensorPrimitives.CosineSimilarity(q.Span, embeddings[i + 1].Vector.Span)).ToArray();
        }

        double w = semantic is null ? 0 : _options.ExtractiveSemanticWeight;
        var result = new List<ExtractedSentence>(candidates.Count);
        for (int i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            double scaled = max > min ? (lexical[i] - min) / (max - min) : 0;
            double score = ((1 - w) * scaled) + (w * (semantic?[i] ?? 0));
            result.Add(new ExtractedSentence(c.Text, c.Source.Number, c.Source.Chunk.Id, c.Start, c.Length, score)
            {
                DocumentId = c.Source.Chunk.DocumentId,
                DocumentStart = c.Source.Chunk.Start + c.Start,
                Bm25 = lexical[i],
                Semantic = semantic?[i],
            });
        }

        // Stable: ties keep source order, so the better-ranked source wins.
        return result.OrderByDescending(s => s.Score).ToList();
    }
}
