using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rag.Core.Answering;
using Rag.Core.Retrieval;
using Rag.Core.Storage;
using Rag.Ingest.Chunking;
using Rag.Ingest.Pipeline;

namespace Rag.Ingest.Tests.DependencyInjection;

/// <summary>The public registrations, composed as README.md shows them, over one folder.</summary>
public class RegistrationTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public async Task Ingestion_and_retrieval_registered_over_one_folder_share_one_index()
    {
        using var dir = new TempDir();
        dir.File("docs/quetzal.md", "# Quetzal\n\nThe resplendent quetzal is a bird of the cloud forest.");
        dir.File("docs/axolotl.txt", "The axolotl regrows its limbs.");
        var configuration = Configuration(
            ("Rag:Index:Directory", Path.Combine(dir.Path, "index")),
            ("Rag:Index:Vectors:Backend", "Managed"),
            ("Rag:Ingest:Chunking:MaxTokens", "64"),
            ("Rag:Ingest:Chunking:OverlapTokens", "8"));

        // As in README.md: one composition root, each part added on the builder.
        var services = new ServiceCollection().AddLogging();
        services.AddRag(configuration)
            .AddHashingEmbeddings()
            .AddIndexStore()
            .AddIngestion();
        using var sp = services.BuildServiceProvider();
        sp.GetRequiredService<IStartupValidator>().Validate();

        var pipeline = sp.GetRequiredService<IngestionPipeline>();
        var indexed = new List<IngestResult>();
        await foreach (var r in pipeline.IngestPathsAsync([Path.Combine(dir.Path, "docs")]))
        {
            indexed.Add(r);
        }

        Assert.Equal(2, indexed.Count(r => r.Status == IngestStatus.Indexed));
        var retriever = sp.GetRequiredService<IRetriever>();
        var hits = await retriever.RetrieveAsync("which bird lives in the cloud forest", 3);
        Assert.Equal("quetzal.md", hits[0].Chunk.DocumentId);
        Assert.NotNull(hits[0].Bm25Rank);
        Assert.NotNull(hits[0].VectorRank); // hybrid: the vectors the pipeline wrote are the ones retrieval searched
        Assert.Same(sp.GetRequiredService<IndexStore>(), pipeline.Store);
        Assert.Same(pipeline.Store, retriever.GetService<IndexStore>());
        Assert.IsType<MarkdownChunker>(sp.GetRequiredService<IChunker>());
        Assert.Equal(64, sp.GetRequiredService<IOptions<RagIngestOptions>>().Value.Chunking.MaxTokens);
    }

    [Fact]
    public async Task Reranking_and_the_answerer_are_registered_explicitly()
    {
        using var dir = new TempDir();
        var configuration = Configuration(("Rag:Index:Directory", Path.Combine(dir.Path, "index")), ("Rag:Retrieval:Rerank", "true"));
        var services = new ServiceCollection();
        services.AddRag(configuration).AddHashingEmbeddings().AddIndexStore().AddAnswerer();
        using var sp = services.BuildServiceProvider();

        var noReranker = Assert.Throws<InvalidOperationException>(() => sp.GetRequiredService<IRetriever>());
        Assert.Contains("Rag:Retrieval:Rerank is on but no IReranker is registered", noReranker.Message, StringComparison.Ordinal);
        var noChat = Assert.Throws<InvalidOperationException>(() => sp.GetRequiredService<RagAnswerer>());
        Assert.Contains("no IChatClient is registered", noChat.Message, StringComparison.Ordinal);

        var withReranker = new ServiceCollection();
        withReranker.AddSingleton<IReranker>(new LengthReranker());
        withReranker.AddRag(configuration).AddHashingEmbeddings().AddIndexStore();
        using var sp2 = withReranker.BuildServiceProvider();
        var retriever = sp2.GetRequiredService<IRetriever>();
        Assert.IsType<RerankingRetriever>(retriever);
        Assert.NotNull(retriever.GetService<HybridRetriever>());
        Assert.Empty(await retriever.RetrieveAsync("nothing indexed yet", 3));
    }

    [Fact]
    public void Missing_embedder_and_invalid_options_fail_with_the_setting_named()
    {
        using var dir = new TempDir();
        var services = new ServiceCollection();
        services.AddRag(Configuration(("Rag:Index:Directory", Path.Combine(dir.Path, "index")))).AddIngestion();
        using var sp = services.BuildServiceProvider();
        var e = Assert.Throws<InvalidOperationException>(() => sp.GetRequiredService<IngestionPipeline>());
        Assert.Contains("Rag:Ingest:KeywordOnly", e.Message, StringComparison.Ordinal);
        Assert.Contains("AddHashingEmbeddings()", Assert.Throws<InvalidOperationException>(() => sp.GetRequiredService<IRetriever>()).Message, StringComparison.Ordinal);

        var bad = new ServiceCollection();
        bad.AddRag(Configuration(
            ("Rag:Index:Directory", ""),
            ("Rag:Index:Lucene:K1", "-3"),
            ("Rag:Retrieval:RrfK", "-1"),
            ("Rag:Ingest:Chunking:OverlapTokens", "100000"))).AddIngestion();
        using var sp2 = bad.BuildServiceProvider();
        var invalid = Assert.Throws<AggregateException>(() => sp2.GetRequiredService<IStartupValidator>().Validate());
        string messages = string.Join("\n", invalid.InnerExceptions.Select(x => x.Message));
        Assert.All(invalid.InnerExceptions, x => Assert.IsType<OptionsValidationException>(x));
        Assert.Contains("Directory", messages, StringComparison.Ordinal);
        Assert.Contains("K1", messages, StringComparison.Ordinal);
        Assert.Contains("RrfK", messages, StringComparison.Ordinal);
        Assert.Contains("OverlapTokens", messages, StringComparison.Ordinal);
    }

    /// <summary>A tiny real reranker: longer passages score higher.</summary>
    private sealed class LengthReranker : IReranker
    {
        public Task<IReadOnlyList<float>> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<float>>(passages.Select(p => (float)p.Length).ToList());
    }
}
