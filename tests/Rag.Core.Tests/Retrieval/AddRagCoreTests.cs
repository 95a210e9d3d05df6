using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rag.Core.Documents;
using Rag.Core.Indexing;
using Rag.Core.Retrieval;

namespace Rag.Core.Tests.Retrieval;

public class AddRagCoreTests
{
    [Fact]
    public async Task Registers_a_working_retriever_with_defaults()
    {
        using var sp = new ServiceCollection().AddLogging().AddRagCore(o => o.Vectors.Backend = VectorBackend.Managed).BuildServiceProvider();
        sp.GetRequiredService<IStartupValidator>().Validate();
        var keyword = sp.GetRequiredService<IKeywordIndex>();
        var vectors = sp.GetRequiredService<IVectorIndex>();
        var embedder = sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        Assert.Equal(384, vectors.Dimension);
        keyword.Upsert([new Chunk("d#0", "d", 0, "graphene conducts electricity", 0, 29)]);
        keyword.Commit();
        var e = await embedder.GenerateAsync(["graphene conducts electricity"]);
        vectors.Add([ChunkIds.ToVectorId("d#0")], e[0].Vector.Span);
        var hits = await sp.GetRequiredService<HybridRetriever>().RetrieveAsync("graphene");
        var hit = Assert.Single(hits);
        Assert.Equal(1, hit.Bm25Rank);
        Assert.Equal(1, hit.VectorRank);
    }

    [Fact]
    public void Invalid_options_fail_validation_with_the_setting_named()
    {
        using var sp = new ServiceCollection().AddRagCore(o =>
        {
            o.RrfK = -1;
        }).BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("RrfK", e.Message, StringComparison.Ordinal);

        using var sp2 = new ServiceCollection().AddRagCore(o => o.Bm25.K1 = -3).BuildServiceProvider();
        Assert.Contains("K1", Assert.Throws<OptionsValidationException>(() => sp2.GetRequiredService<IOptions<RetrievalOptions>>().Value).Message, StringComparison.Ordinal);
    }
}
