using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;
using Rag.Core.Retrieval;
using Rag.Core.Storage;
using Rag.SemanticKernel.VectorData;

namespace Rag.SemanticKernel.Tests;

/// <summary>The VectorData collection over a real index store (Lucene BM25 + vectors) in a temporary folder, with the hashing embedder.</summary>
public sealed class VectorStoreCollectionTests : IAsyncDisposable
{
    private readonly TempDir _dir = new();
    private readonly ServiceProvider _services;
    private readonly RagVectorStoreCollection _collection;

    public VectorStoreCollectionTests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rag:Index:Directory"] = _dir.Combine("index"),
        }).Build();
        var services = new ServiceCollection();
        services.AddRag(configuration).AddHashingEmbeddings().AddIndexStore().AddSemanticKernel();
        _services = services.BuildServiceProvider();
        _collection = _services.GetRequiredService<RagVectorStoreCollection>();
    }

    private static RagVectorRecord[] Animals() =>
    [
        new() { Key = "cat", Title = "Cats", Section = "Pets > Cats", Text = "The cat sleeps on the warm windowsill all afternoon.", Source = "pets/cat.md" },
        new() { Key = "dog", Title = "Dogs", Section = "Pets > Dogs", Text = "The dog fetches the red ball in the park." },
        new() { Key = "owl", Title = "Owls", Text = "An owl hunts mice at night in the old barn." },
        new() { Key = "bee", Title = "Bees", Text = "Bees carry pollen from flower to flower and make honey." },
    ];

    [Fact]
    public async Task Upsert_then_get_returns_the_records_and_a_missing_key_returns_null()
    {
        Assert.True(await _collection.CollectionExistsAsync());
        await _collection.UpsertAsync(Animals());

        var cat = await _collection.GetAsync("cat");
        Assert.NotNull(cat);
        Assert.Equal(("cat", "Cats", "Pets > Cats", "pets/cat.md", "cat#0"), (cat.Key, cat.Title, cat.Section, cat.Source, cat.ChunkId));
        Assert.Equal("The cat sleeps on the warm windowsill all afternoon.", cat.Text);
        Assert.Null(await _collection.GetAsync("unicorn"));

        var some = await _collection.GetAsync(["owl", "unicorn", "dog"]).ToListAsync();
        Assert.Equal(["owl", "dog"], some.Select(r => r.Key));

        var titled = await _collection.GetAsync(r => r.Title!.StartsWith('B') || r.Title == "Cats", top: 10).ToListAsync();
        Assert.Equal(["bee", "cat"], titled.Select(r => r.Key));

        // The same store, read the way retrieval reads it: four documents, committed.
        var store = _services.GetRequiredService<IndexStore>();
        using var snapshot = store.AcquireSnapshot();
        Assert.Equal(4, snapshot.Documents.Count);
        Assert.True(snapshot.Verify().IsConsistent(expectVectors: true));
    }

    [Fact]
    public async Task Upsert_replaces_a_record_and_delete_removes_it()
    {
        await _collection.UpsertAsync(Animals());
        await _collection.UpsertAsync(new RagVectorRecord { Key = "dog", Title = "Dogs", Text = "The dog swims across the cold lake." });
        Assert.Equal("The dog swims across the cold lake.", (await _collection.GetAsync("dog"))!.Text);
        var lake = await _collection.SearchAsync("swims across the lake", top: 1).SingleAsync();
        Assert.Equal("dog", lake.Record.Key);

        await _collection.DeleteAsync("dog");
        Assert.Null(await _collection.GetAsync("dog"));
        await _collection.DeleteAsync(["owl", "unicorn"]);
        Assert.Null(await _collection.GetAsync("owl"));
        Assert.NotNull(await _collection.GetAsync("cat"));
        var left = await _collection.SearchAsync("dog swims lake park ball", top: 10).Select(r => r.Record.Key).ToListAsync();
        Assert.DoesNotContain("dog", left);
        Assert.Equal(2, left.Count);

        await _collection.EnsureCollectionDeletedAsync();
        Assert.Empty(await _collection.GetAsync(_ => true, top: 10).ToListAsync());
    }

    [Fact]
    public async Task Vector_search_ranks_by_similarity_for_text_and_vector_queries()
    {
        await _collection.UpsertAsync(Animals());
        var byText = await _collection.SearchAsync("an owl hunting mice at night", top: 2).ToListAsync();
        Assert.Equal(2, byText.Count);
        Assert.Equal("owl", byText[0].Record.Key);
        Assert.True(byText[0].Score > byText[1].Score);

        var generator = _services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var vector = (await generator.GenerateAsync(["pollen flower honey"]))[0];
        var byVector = await _collection.SearchAsync(vector.Vector, top: 1).SingleAsync();
        Assert.Equal("bee", byVector.Record.Key);
        Assert.Equal("bee", (await _collection.SearchAsync(vector, top: 1).SingleAsync()).Record.Key);

        // Filter and skip apply to the ranking.
        var filtered = await _collection.SearchAsync("an owl hunting mice at night", top: 1,
            new VectorSearchOptions<RagVectorRecord> { Filter = r => r.Key != "owl" }).SingleAsync();
        Assert.NotEqual("owl", filtered.Record.Key);
        var skipped = await _collection.SearchAsync("an owl hunting mice at night", top: 1, new VectorSearchOptions<RagVectorRecord> { Skip = 1 }).SingleAsync();
        Assert.Equal(byText[1].Record.Key, skipped.Record.Key);

        await Assert.ThrowsAsync<NotSupportedException>(async () =>
            await _collection.SearchAsync("owl", 1, new VectorSearchOptions<RagVectorRecord> { IncludeVectors = true }).ToListAsync());
    }

    [Fact]
    public async Task Hybrid_search_fuses_keyword_and_vector_rankings()
    {
        await _collection.UpsertAsync(Animals());
        var hybridSearch = Assert.IsAssignableFrom<IKeywordHybridSearchable<RagVectorRecord>>(_collection);

        // The vector side asks about the owl; the keyword side names a word only the record the vectors rank last has.
        var vectorOnly = await _collection.SearchAsync("an owl hunting mice at night", top: 4).Select(r => r.Record.Key).ToListAsync();
        Assert.Equal(4, vectorOnly.Count);
        Assert.Equal("owl", vectorOnly[0]);
        var last = vectorOnly[3];
        var word = new Dictionary<string, string> { ["cat"] = "windowsill", ["dog"] = "fetches", ["bee"] = "honey" }[last];
        var hybrid = await hybridSearch.HybridSearchAsync("an owl hunting mice at night", [word], top: 2).ToListAsync();
        Assert.Equal(["owl", last], hybrid.Select(r => r.Record.Key).OrderBy(k => k == "owl" ? 0 : 1));
        Assert.All(hybrid, h => Assert.InRange(h.Score!.Value, 0.0, 1.0)); // RRF scores

        // A record both rankings agree on comes first.
        var agreed = await hybridSearch.HybridSearchAsync("the dog fetches a ball", ["fetches", "ball"], top: 1).SingleAsync();
        Assert.Equal("dog", agreed.Record.Key);
        Assert.Equal("Pets > Dogs", agreed.Record.Section);

        var filtered = await hybridSearch.HybridSearchAsync("an owl hunting mice at night", ["honey"], top: 1,
            new HybridSearchOptions<RagVectorRecord> { Filter = r => r.Title == "Bees" }).SingleAsync();
        Assert.Equal("bee", filtered.Record.Key);
    }

    [Fact]
    public async Task A_record_whose_vector_has_the_wrong_dimension_is_refused()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _collection.UpsertAsync(
            new RagVectorRecord { Key = "x", Text = "x", Embedding = new float[3] }));
        Assert.Contains("3 dimensions", e.Message, StringComparison.Ordinal);
        Assert.Null(await _collection.GetAsync("x"));
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _dir.Dispose();
    }
}
