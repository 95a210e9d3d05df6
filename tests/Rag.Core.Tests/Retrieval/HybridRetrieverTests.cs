using Microsoft.Extensions.AI;
using Rag.Core.Documents;
using Rag.Core.Embeddings;
using Rag.Core.Indexing;
using Rag.Core.Retrieval;

namespace Rag.Core.Tests.Retrieval;

public sealed class HybridRetrieverTests : IDisposable
{
    private readonly LuceneBm25Index _keyword = LuceneBm25Index.CreateInMemory();
    private readonly ManagedVectorIndex _vectors = new(256);
    private readonly HashingEmbeddingGenerator _embedder = new(256);

    public HybridRetrieverTests()
    {
        string[] texts =
        [
            "Aspirin reduces the risk of heart attack in adults.",
            "Statins lower cholesterol and cardiovascular events.",
            "The heart pumps blood through the body.",
            "Vitamin D deficiency is common in northern countries.",
            "Regular exercise lowers blood pressure and heart attack risk.",
            "Coffee consumption and sleep quality in students.",
        ];
        var chunks = texts.Select((t, i) => new Chunk(Chunk.MakeId("doc" + i, 0), "doc" + i, 0, t, 0, t.Length)
        {
            Metadata = new Dictionary<string, string> { ["topic"] = i < 5 ? "health" : "lifestyle", ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        }).ToList();
        _keyword.Upsert(chunks);
        _keyword.Commit();
        var flat = chunks.SelectMany(c => _embedder.Embed(c.Text)).ToArray();
        _vectors.Add(chunks.Select(c => ChunkIds.ToVectorId(c.Id)).ToArray(), flat);
    }

    public void Dispose()
    {
        _keyword.Dispose();
        _vectors.Dispose();
        _embedder.Dispose();
    }

    [Fact]
    public async Task Hybrid_rrf_reports_consistent_per_stage_scores_and_ranks()
    {
        var retriever = new HybridRetriever(_keyword, _vectors, _embedder, options: new RetrievalOptions { RrfK = 60 });
        var hits = await retriever.RetrieveAsync("heart attack risk", 6);
        Assert.NotEmpty(hits);
        Assert.Contains(hits[0].Chunk.DocumentId, new[] { "doc0", "doc4" });
        for (int i = 0; i < hits.Count; i++)
        {
            var h = hits[i];
            Assert.Equal(i + 1, h.FusedRank);
            Assert.True(h.Bm25Rank is not null || h.VectorRank is not null);
            double expected = (h.Bm25Rank is int b ? 1.0 / (60 + b) : 0) + (h.VectorRank is int v ? 1.0 / (60 + v) : 0);
            Assert.Equal(expected, h.FusedScore, 12);
            Assert.Equal(h.FusedScore, h.Score);
            Assert.Null(h.RerankScore);
            Assert.Equal(h.Bm25Rank is null, h.Bm25Score is null);
            if (i > 0)
            {
                Assert.True(hits[i - 1].FusedScore >= h.FusedScore);
            }
        }
    }

    [Fact]
    public async Task Dense_mode_resolves_vector_hits_through_the_keyword_index_and_filters()
    {
        var retriever = new HybridRetriever(_keyword, _vectors, _embedder);
        var dense = await retriever.RetrieveAsync("blood pressure and exercise", new RetrievalRequestOptions { TopK = 3, Mode = RetrievalMode.Dense });
        Assert.Equal("doc4", dense[0].Chunk.DocumentId);
        Assert.All(dense, h => Assert.Null(h.Bm25Rank));
        Assert.Equal(1, dense[0].VectorRank);

        var filtered = await retriever.RetrieveAsync("coffee sleep heart", new RetrievalRequestOptions { TopK = 5, Filter = new Dictionary<string, string> { ["topic"] = "lifestyle" }, Mode = RetrievalMode.Hybrid });
        Assert.Equal(["doc5"], filtered.Select(h => h.Chunk.DocumentId));
    }

    [Fact]
    public async Task Weighted_fusion_and_bm25_mode()
    {
        var weighted = new HybridRetriever(_keyword, _vectors, _embedder, options: new RetrievalOptions { Fusion = FusionMethod.WeightedMinMax, Bm25Weight = 1, VectorWeight = 0 });
        var bm25Only = new HybridRetriever(_keyword, null, null);
        var w = await weighted.RetrieveAsync("cholesterol statins", 1);
        var b = await bm25Only.RetrieveAsync("cholesterol statins", 1);
        Assert.Equal(b[0].Chunk.Id, w[0].Chunk.Id);
        Assert.Equal(1.0, w[0].FusedScore, 9); // top BM25 hit normalizes to 1, vector weight 0
        await Assert.ThrowsAsync<InvalidOperationException>(() => bm25Only.RetrieveAsync("x", new RetrievalRequestOptions { Mode = RetrievalMode.Dense }));
    }

    [Fact]
    public async Task Reranker_reorders_the_top_n_and_keeps_fused_scores()
    {
        var options = new RetrievalOptions { RerankTopN = 6 };
        var retriever = new RetrieverBuilder(new HybridRetriever(_keyword, _vectors, _embedder, options)).UseReranking(new KeywordReranker("cholesterol"), options).Build();
        var hits = await retriever.RetrieveAsync("heart", 6);
        var top = hits[0];
        Assert.Equal("doc1", top.Chunk.DocumentId);
        Assert.Equal(1f, top.RerankScore);
        Assert.Equal(top.RerankScore!.Value, top.Score);
        Assert.True(top.FusedRank > 1 || top.FusedScore > 0);
        Assert.NotNull(retriever.GetService<RerankingRetriever>());
        Assert.NotNull(retriever.GetService<HybridRetriever>());

        // Only the head is reranked: with RerankTopN 1 the order below the first hit is the fused order.
        var headOnly = new RerankingRetriever(new HybridRetriever(_keyword, _vectors, _embedder), new KeywordReranker("cholesterol"), new RetrievalOptions { RerankTopN = 1 });
        var fused = await new HybridRetriever(_keyword, _vectors, _embedder).RetrieveAsync("heart", 4);
        var partly = await headOnly.RetrieveAsync("heart", 4);
        Assert.Equal(fused.Select(h => h.Chunk.Id), partly.Select(h => h.Chunk.Id));
        Assert.NotNull(partly[0].RerankScore);
        Assert.All(partly.Skip(1), h => Assert.Null(h.RerankScore));

        var broken = new RerankingRetriever(new HybridRetriever(_keyword, _vectors, _embedder), new WrongCountReranker(), new RetrievalOptions { RerankTopN = 3 });
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => broken.RetrieveAsync("heart"));
        Assert.Contains("scores for", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mismatched_embedding_dimension_is_reported()
    {
        using var other = new HashingEmbeddingGenerator(128);
        var retriever = new HybridRetriever(_keyword, _vectors, other);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => retriever.RetrieveAsync("heart", new RetrievalRequestOptions { Mode = RetrievalMode.Dense }));
        Assert.Contains("128", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new HybridRetriever(_keyword, _vectors, null));
    }

    /// <summary>A tiny real reranker: 1 when the passage contains the word, else 0.</summary>
    private sealed class KeywordReranker(string word) : IReranker
    {
        public Task<IReadOnlyList<float>> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<float>>(passages.Select(p => p.Contains(word, StringComparison.OrdinalIgnoreCase) ? 1f : 0f).ToList());
    }

    /// <summary>Fault injection: returns one score too few.</summary>
    private sealed class WrongCountReranker : IReranker
    {
        public Task<IReadOnlyList<float>> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<float>>(new float[Math.Max(0, passages.Count - 1)]);
    }
}
