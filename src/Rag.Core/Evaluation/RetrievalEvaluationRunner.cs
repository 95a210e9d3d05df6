using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Core.Documents;
using Rag.Core.Embeddings;
using Rag.Core.Indexing;
using Rag.Core.Retrieval;
using Rag.Core.Storage;

namespace Rag.Core.Evaluation;

/// <summary>Settings of one retrieval evaluation run.</summary>
public sealed class RetrievalEvaluationSettings
{
    /// <summary>Stages to evaluate. Default BM25.</summary>
    public RetrievalMode Retriever { get; set; } = RetrievalMode.Bm25;

    /// <summary>Retrieval options (fusion, candidate counts). <see cref="RetrievalOptions.TopK"/> is overridden by <see cref="Depth"/>.</summary>
    public RetrievalOptions Retrieval { get; set; } = new();

    /// <summary>BM25 settings of the index (k1, b, title boost, analysis).</summary>
    public LuceneIndexOptions Lucene { get; set; } = new();

    /// <summary>Vector index settings (backend, FAISS factory string).</summary>
    public VectorIndexOptions Vectors { get; set; } = new();

    /// <summary>Dimension of the default <see cref="HashingEmbeddingGenerator"/> (dense and hybrid runs without an embedder). Default 384.</summary>
    public int EmbeddingDimension { get; set; } = 384;

    /// <summary>Ranked results kept per query (at least 100 for Recall@100). Default 100.</summary>
    public int Depth { get; set; } = 100;

    /// <summary>Drop a hit whose document id equals the query id, as BEIR's evaluation does (<c>ignore_identical_ids</c>). Default true.</summary>
    public bool IgnoreIdenticalIds { get; set; } = true;
}

/// <summary>Result of a retrieval evaluation run.</summary>
/// <param name="Scores">Averaged metrics.</param>
/// <param name="PerQuery">Per-query metrics: query id to (nDCG@10, Recall@100, MRR@10).</param>
/// <param name="IndexSeconds">Time to index the corpus (and embed it, for dense and hybrid).</param>
/// <param name="SearchSeconds">Time to run every query.</param>
/// <param name="CorpusSize">Documents indexed.</param>
public sealed record RetrievalEvaluationReport(
    RetrievalScores Scores,
    IReadOnlyDictionary<string, RetrievalScores> PerQuery,
    double IndexSeconds,
    double SearchSeconds,
    int CorpusSize)
{
    /// <summary>The ranked run of every query (document id and score), for metrics at other cut-offs.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<(string DocId, double Score)>> Runs { get; init; } =
        new Dictionary<string, IReadOnlyList<(string DocId, double Score)>>();

    /// <summary>The embedder the corpus and queries were embedded with; null for a BM25-only run.</summary>
    public EmbedderIdentity? Embedder { get; init; }
}

/// <summary>
/// Retrieval evaluation on a BEIR dataset: indexes it (each document one chunk, title + text, like Anserini's flat
/// setup), runs every judged query through BM25, dense or hybrid retrieval, and scores nDCG@10, Recall@100 and MRR@10.
/// </summary>
public static class RetrievalEvaluationRunner
{
    /// <summary>
    /// Indexes <paramref name="dataset"/> into a temporary <see cref="IndexStore"/> (deleted afterwards) and evaluates it
    /// through the same <see cref="HybridRetriever"/> over store snapshots that applications use, reranked by
    /// <paramref name="reranker"/> when one is given. <paramref name="embedder"/> defaults to a
    /// <see cref="HashingEmbeddingGenerator"/> of <see cref="RetrievalEvaluationSettings.EmbeddingDimension"/>.
    /// Chunk hits aggregate to their documents by the best chunk's score (BEIR judges documents).
    /// </summary>
    public static async Task<RetrievalEvaluationReport> EvaluateAsync(
        BeirDataset dataset,
        RetrievalEvaluationSettings settings,
        IEmbeddingGenerator<string, Embedding<float>>? embedder = null,
        IReranker? reranker = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var reports = await EvaluateAsync(dataset, settings, [settings.Retriever], embedder, reranker, logger, cancellationToken).ConfigureAwait(false);
        return reports[settings.Retriever];
    }

    /// <summary>
    /// Like <see cref="EvaluateAsync(BeirDataset, RetrievalEvaluationSettings, IEmbeddingGenerator{string, Embedding{float}}?, IReranker?, ILogger?, CancellationToken)"/>
    /// for several retrieval modes over one index, so the corpus is embedded once (<see cref="RetrievalEvaluationSettings.Retriever"/>
    /// is ignored). Embedding progress is logged at Information level every few hundred documents.
    /// </summary>
    public static async Task<IReadOnlyDictionary<RetrievalMode, RetrievalEvaluationReport>> EvaluateAsync(
        BeirDataset dataset,
        RetrievalEvaluationSettings settings,
        IReadOnlyList<RetrievalMode> modes,
        IEmbeddingGenerator<string, Embedding<float>>? embedder = null,
        IReranker? reranker = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(modes);
        ArgumentOutOfRangeException.ThrowIfZero(modes.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Depth, 1);
        logger ??= NullLogger.Instance;
        var options = settings.Retrieval;
        options.Validate();
        bool dense = modes.Any(m => m != RetrievalMode.Bm25);
        using var ownedEmbedder = dense && embedder is null ? new HashingEmbeddingGenerator(settings.EmbeddingDimension) : null;
        embedder = dense ? embedder ?? ownedEmbedder : null;

        string directory = Path.Combine(Path.GetTempPath(), "rag-eval-" + Guid.NewGuid().ToString("N"));
        try
        {
            var sw = Stopwatch.StartNew();
            using var store = IndexStore.Open(new IndexStoreOptions { Directory = directory, Lucene = settings.Lucene, Vectors = settings.Vectors });
            var chunks = dataset.Corpus.Select(d => new Chunk(Chunk.MakeId(d.Id, 0), d.Id, 0, d.Text, 0, d.Text.Length) { Title = d.Title }).ToList();
            var identity = embedder is null ? null : await EmbedderIdentity.OfAsync(embedder, cancellationToken).ConfigureAwait(false);
            using (var writer = await store.OpenWriterAsync(new IndexWriterOptions { Embedder = identity }, cancellationToken).ConfigureAwait(false))
            {
                const int batch = 256;
                for (int start = 0; start < chunks.Count; start += batch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var slice = chunks.GetRange(start, Math.Min(batch, chunks.Count - start));
                    float[] flat = [];
                    int dimension = 0;
                    if (embedder is not null)
                    {
                        var embeddings = await embedder.GenerateAsync(
                            slice.Select(c => string.IsNullOrEmpty(c.Title) ? c.Text : c.Title + "\n" + c.Text), cancellationToken: cancellationToken).ConfigureAwait(false);
                        dimension = embeddings[0].Vector.Length;
                        flat = new float[slice.Count * dimension];
                        for (int i = 0; i < slice.Count; i++)
                        {
                            embeddings[i].Vector.Span.CopyTo(flat.AsSpan(i * dimension));
                        }

                        int done = start + slice.Count;
                        logger.LogInformation("Embedded {Done}/{Total} documents ({Rate:F1} documents/s)", done, chunks.Count, done / sw.Elapsed.TotalSeconds);
                    }

                    for (int i = 0; i < slice.Count; i++)
                    {
                        writer.PutDocument(new DocumentRecord(slice[i].DocumentId, string.Empty, 1), [slice[i]], flat.AsSpan(i * dimension, dimension));
                    }
                }

                writer.Commit();
            }

            double indexSeconds = sw.Elapsed.TotalSeconds;
            logger.LogInformation("Indexed {Count} documents in {Seconds:F1} s", chunks.Count, indexSeconds);
            IRetriever retriever = new HybridRetriever(store, embedder, options);
            if (reranker is not null)
            {
                retriever = new RerankingRetriever(retriever, reranker, options);
            }

            var reports = new Dictionary<RetrievalMode, RetrievalEvaluationReport>();
            foreach (var mode in modes.Distinct())
            {
                reports[mode] = await SearchAsync(dataset, settings, retriever, mode, indexSeconds, chunks.Count, cancellationToken).ConfigureAwait(false) with
                {
                    Embedder = mode == RetrievalMode.Bm25 ? null : identity,
                };
            }

            return reports;
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>
    /// Ranks documents from chunk hits (ranked best first): each document takes its best chunk's score and place, as BEIR
    /// evaluation of chunked corpora does (max aggregation); the query's own id is dropped when <paramref name="ignoreId"/> is set.
    /// </summary>
    public static IReadOnlyList<(string DocId, double Score)> AggregateByDocument(IEnumerable<RetrievalHit> hits, int depth, string? ignoreId = null)
    {
        ArgumentNullException.ThrowIfNull(hits);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var run = new List<(string DocId, double Score)>();
        foreach (var h in hits.OrderByDescending(h => h.Score))
        {
            if (run.Count == depth)
            {
                break;
            }

            if (h.Chunk.DocumentId != ignoreId && seen.Add(h.Chunk.DocumentId))
            {
                run.Add((h.Chunk.DocumentId, h.Score));
            }
        }

        return run;
    }

    private static async Task<RetrievalEvaluationReport> SearchAsync(
        BeirDataset dataset, RetrievalEvaluationSettings settings, IRetriever retriever, RetrievalMode mode, double indexSeconds, int corpusSize, CancellationToken cancellationToken)
    {
        int depth = settings.Depth + (settings.IgnoreIdenticalIds ? 1 : 0);
        var request = new RetrievalRequestOptions { TopK = depth, Mode = mode };
        var sw = Stopwatch.StartNew();
        var runs = new Dictionary<string, IReadOnlyList<(string DocId, double Score)>>(StringComparer.Ordinal);
        foreach (var (qid, text) in dataset.Queries)
        {
            var hits = await retriever.RetrieveAsync(text, request, cancellationToken).ConfigureAwait(false);
            runs[qid] = AggregateByDocument(hits, settings.Depth, settings.IgnoreIdenticalIds ? qid : null);
        }

        double searchSeconds = sw.Elapsed.TotalSeconds;
        var perQuery = dataset.Qrels.ToDictionary(
            q => q.Key,
            q =>
            {
                var run = runs.GetValueOrDefault(q.Key) ?? [];
                return new RetrievalScores(
                    RetrievalMetrics.NdcgAtK(run, q.Value, 10), RetrievalMetrics.RecallAtK(run, q.Value, 100), RetrievalMetrics.MrrAtK(run, q.Value, 10), 1);
            },
            StringComparer.Ordinal);
        return new RetrievalEvaluationReport(RetrievalMetrics.Evaluate(runs, dataset.Qrels), perQuery, indexSeconds, searchSeconds, corpusSize) { Runs = runs };
    }

    /// <summary>Writes a JSON report of one run (dataset, settings, metrics, timings and per-query scores) to <paramref name="path"/>.</summary>
    public static async Task WriteReportAsync(
        string path, BeirDataset dataset, RetrievalEvaluationSettings settings, RetrievalEvaluationReport result, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(result);
        var ds = dataset;
        var o = settings.Retrieval;
        var json = new Dictionary<string, object?>
        {
            ["dataset"] = Path.GetFullPath(ds.Directory),
            ["split"] = ds.Split,
            ["retriever"] = settings.Retriever.ToString().ToLowerInvariant(),
            ["corpus_documents"] = result.CorpusSize,
            ["queries"] = result.Scores.Queries,
            ["metrics"] = new Dictionary<string, double>
            {
                ["nDCG@10"] = Math.Round(result.Scores.NdcgAt10, 6),
                ["Recall@100"] = Math.Round(result.Scores.RecallAt100, 6),
                ["MRR@10"] = Math.Round(result.Scores.MrrAt10, 6),
            },
            ["settings"] = new Dictionary<string, object?>
            {
                ["k1"] = settings.Lucene.K1,
                ["b"] = settings.Lucene.B,
                ["title_boost"] = settings.Lucene.TitleBoost,
                ["analysis"] = settings.Lucene.Analysis.ToString(),
                ["fusion"] = o.Fusion.ToString(),
                ["rrf_k"] = o.RrfK,
                ["bm25_weight"] = o.Bm25Weight,
                ["vector_weight"] = o.VectorWeight,
                ["depth"] = settings.Depth,
                ["ignore_identical_ids"] = settings.IgnoreIdenticalIds,
                ["embedding"] = result.Embedder is { } e ? $"{e.ModelId} ({e.Dimension} dimensions, {e.Version})" : null,
                ["vector_backend"] = settings.Retriever == RetrievalMode.Bm25 ? null : settings.Vectors.Backend.ToString(),
            },
            ["timings"] = new Dictionary<string, double>
            {
                ["index_seconds"] = Math.Round(result.IndexSeconds, 3),
                ["search_seconds"] = Math.Round(result.SearchSeconds, 3),
            },
            ["per_query"] = result.PerQuery.ToDictionary(
                p => p.Key,
                p => new Dictionary<string, double> { ["nDCG@10"] = p.Value.NdcgAt10, ["Recall@100"] = p.Value.RecallAt100, ["MRR@10"] = p.Value.MrrAt10 }),
        };
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        await using var fs = File.Create(path);
        await JsonSerializer.SerializeAsync(fs, json, new JsonSerializerOptions { WriteIndented = true }, cancellationToken).ConfigureAwait(false);
    }
}
