using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Rag.Core.Answering;
using Rag.Core.Documents;
using Rag.Core.Evaluation.QuestionAnswering;
using Rag.Core.Evaluation.Reports;

namespace Rag.Core.Evaluation.Suites;

/// <summary>Settings of one <see cref="ExtractiveQaSuite"/> run.</summary>
public sealed record ExtractiveQaSuiteSettings
{
    /// <summary>A SQuAD v1.1 JSON file (for example <c>shared/data/xquad_en/xquad.en.json</c>).</summary>
    public required string DatasetPath { get; init; }

    /// <summary>Score only the first N questions; null scores all. <value>Default null.</value></summary>
    public int? Limit { get; init; }

    /// <summary>Weight of the embedding similarity in the hybrid ranker. <value>Default 0.5 (the answerer's default).</value></summary>
    public double SemanticWeight { get; init; } = 0.5;
}

/// <summary>
/// How often the extractive answerer's best sentence contains the gold answer, on a SQuAD-format set (XQuAD English):
/// the hybrid ranker (BM25 + embeddings, as <see cref="ExtractiveAnswerer"/> answers) next to a BM25-only sentence
/// ranker, in two settings: the gold paragraph as the only source, and every paragraph of the article as numbered
/// sources (so the ranker must also pick the right paragraph). A sentence contains an answer when the SQuAD-normalized
/// gold answer occurs in the normalized sentence as a whole-token substring; any of the gold answers counts.
/// </summary>
public sealed class ExtractiveQaSuite
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly string _embedderName;

    /// <summary>Creates the suite over a sentence embedder (all-MiniLM-L6-v2 in <c>rag eval extractive</c>).</summary>
    public ExtractiveQaSuite(IEmbeddingGenerator<string, Embedding<float>> embedder, string embedderName)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        _embedder = embedder;
        _embedderName = embedderName;
    }

    /// <summary>Runs the suite.</summary>
    public async Task<EvaluationReport> RunAsync(ExtractiveQaSuiteSettings settings, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        var questions = await LoadAsync(settings.DatasetPath, cancellationToken).ConfigureAwait(false);
        if (settings.Limit is { } limit)
        {
            questions = questions.Take(limit).ToList();
        }

        using var cache = new CachingEmbedder(_embedder);
        var hybrid = new ExtractiveAnswerer(cache, new AnswerOptions { ExtractiveSemanticWeight = settings.SemanticWeight, ExtractiveSentences = 3 });
        var bm25 = new ExtractiveAnswerer(null, new AnswerOptions { ExtractiveSemanticWeight = 0, ExtractiveSentences = 3 });
        string[] names = ["hybrid, paragraph", "bm25, paragraph", "hybrid, article", "bm25, article"];
        var top1 = new int[4];
        var top3 = new int[4];
        var items = new List<IReadOnlyDictionary<string, object?>>();
        for (int i = 0; i < questions.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var q = questions[i];
            var paragraph = new[] { new AnswerSource(1, q.Paragraph, 1) };
            var article = q.Article.Select((c, k) => new AnswerSource(k + 1, c, 1)).ToList();
            var answers = new[]
            {
                await hybrid.AnswerAsync(q.Question, paragraph, cancellationToken).ConfigureAwait(false),
                await bm25.AnswerAsync(q.Question, paragraph, cancellationToken).ConfigureAwait(false),
                await hybrid.AnswerAsync(q.Question, article, cancellationToken).ConfigureAwait(false),
                await bm25.AnswerAsync(q.Question, article, cancellationToken).ConfigureAwait(false),
            };
            var item = new Dictionary<string, object?> { ["id"] = q.Id, ["question"] = q.Question, ["gold"] = q.Answers[0] };
            for (int r = 0; r < 4; r++)
            {
                var sentences = answers[r].Sentences;
                bool hit1 = sentences.Count > 0 && Contains(sentences[0].Text, q.Answers);
                bool hit3 = sentences.Any(s => Contains(s.Text, q.Answers));
                top1[r] += hit1 ? 1 : 0;
                top3[r] += hit3 ? 1 : 0;
                item[names[r]] = hit1;
            }

            item["best (hybrid, article)"] = answers[2].Sentences.Count > 0 ? answers[2].Sentences[0].Text : null;
            items.Add(item);
            progress?.Report(new EvaluationProgress("extractive", i + 1, questions.Count));
        }

        double Share(int n) => questions.Count == 0 ? 0 : n / (double)questions.Count;
        var metrics = new List<ReportMetric>();
        for (int r = 0; r < 4; r++)
        {
            metrics.Add(new ReportMetric($"best sentence contains the answer ({names[r]})", Share(top1[r])));
        }

        var rows = Enumerable.Range(0, 4).Select(r => (IReadOnlyList<string>)
        [
            names[r],
            Share(top1[r]).ToString("0.0000", CultureInfo.InvariantCulture),
            Share(top3[r]).ToString("0.0000", CultureInfo.InvariantCulture),
        ]).ToList();
        return new EvaluationReport("extractive", "Extractive answers on " + Path.GetFileName(settings.DatasetPath), metrics,
            new Dictionary<string, string>
            {
                ["dataset"] = settings.DatasetPath,
                ["questions"] = questions.Count.ToString(CultureInfo.InvariantCulture),
                ["embedder"] = _embedderName,
                ["semantic weight"] = settings.SemanticWeight.ToString(CultureInfo.InvariantCulture),
            })
        {
            Started = started,
            Seconds = clock.Elapsed.TotalSeconds,
            Tables = [new ReportTable("Share of questions whose top sentence (top 3 sentences) contains a gold answer", ["ranker, sources", "top 1", "top 3"], rows)],
            Items = items,
            Notes =
            [
                "paragraph: the gold paragraph is the only source; article: every paragraph of the question's article is a numbered source.",
                "hybrid: (1 - w) × BM25 (min-max over the candidates) + w × cosine of the sentence and question embeddings; bm25: w = 0.",
            ],
        };
    }

    private static bool Contains(string sentence, IReadOnlyList<string> answers)
    {
        var s = " " + SquadMetrics.Normalize(sentence) + " ";
        return answers.Any(a => SquadMetrics.Normalize(a) is { Length: > 0 } n && s.Contains(" " + n + " ", StringComparison.Ordinal));
    }

    private sealed record QaItem(string Id, string Question, IReadOnlyList<string> Answers, Chunk Paragraph, IReadOnlyList<Chunk> Article);

    private static async Task<List<QaItem>> LoadAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        var items = new List<QaItem>();
        int a = 0;
        foreach (var article in doc.RootElement.GetProperty("data").EnumerateArray())
        {
            var title = article.TryGetProperty("title", out var t) ? t.GetString() : null;
            var paragraphs = article.GetProperty("paragraphs").EnumerateArray().ToList();
            var chunks = paragraphs.Select((p, k) => new Chunk(Chunk.MakeId($"a{a}", k), $"a{a}", k, p.GetProperty("context").GetString()!, 0, p.GetProperty("context").GetString()!.Length) { Title = title }).ToList();
            for (int k = 0; k < paragraphs.Count; k++)
            {
                foreach (var qa in paragraphs[k].GetProperty("qas").EnumerateArray())
                {
                    var answers = qa.GetProperty("answers").EnumerateArray().Select(x => x.GetProperty("text").GetString()!).ToList();
                    items.Add(new QaItem(qa.GetProperty("id").GetString()!, qa.GetProperty("question").GetString()!, answers, chunks[k], chunks));
                }
            }

            a++;
        }

        return items.Count > 0 ? items : throw new InvalidDataException($"{path} holds no SQuAD questions.");
    }

    /// <summary>Embeds each distinct text once: the article setting sees every sentence many times.</summary>
    private sealed class CachingEmbedder(IEmbeddingGenerator<string, Embedding<float>> inner) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly Dictionary<string, Embedding<float>> _cache = new(StringComparer.Ordinal);

        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = values.ToList();
            var missing = list.Where(v => !_cache.ContainsKey(v)).Distinct(StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
            {
                var fresh = await inner.GenerateAsync(missing, options, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < missing.Count; i++)
                {
                    _cache[missing[i]] = fresh[i];
                }
            }

            return new GeneratedEmbeddings<Embedding<float>>(list.Select(v => _cache[v]));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

        public void Dispose()
        {
        }
    }
}
