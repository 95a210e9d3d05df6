using Rag.Core.Embeddings;
using Rag.Onnx.Embeddings;

namespace Rag.Onnx.Tests;

public sealed class ArcticXsTests(ArcticXsFixture fixture) : IClassFixture<ArcticXsFixture>
{
    private OnnxEmbeddingGenerator Generator => fixture.Generator;

    [Fact]
    public void Queries_take_the_search_prefix_and_documents_do_not()
    {
        var query = Generator.Tokenize("bm25", EmbeddingInputKind.Query);
        var document = Generator.Tokenize("bm25");
        var prefix = Generator.Tokenize("Represent this sentence for searching relevant passages:");
        Assert.Equal(prefix[..^1], query[..(prefix.Length - 1)]);
        Assert.Equal(document[1..], query[(prefix.Length - 1)..]);
    }

    [Fact]
    public async Task Finds_the_relevant_passage_for_a_query()
    {
        string[] passages =
        [
            "Vitamin D deficiency is associated with an increased risk of bone fractures in older adults.",
            "The stadium was rebuilt in 1998 and now seats sixty thousand spectators.",
            "Transformers use self-attention to model dependencies between all positions of a sequence.",
        ];
        var p = await Generator.GenerateAsync(passages);
        var q = await Generator.GenerateAsync(["does low vitamin D raise fracture risk?"], EmbeddingInput.ForQueries());
        var scores = p.Select(v => MiniLmTests.Cosine(v, q[0])).ToArray();
        Assert.Equal(0, Array.IndexOf(scores, scores.Max()));

        // The prefix changes the query vector (asymmetric model).
        var unprefixed = await Generator.GenerateAsync(["does low vitamin D raise fracture risk?"]);
        Assert.True(MiniLmTests.Cosine(unprefixed[0], q[0]) < 0.99);
    }

    [Fact]
    public void Identity_differs_from_minilm_and_with_settings()
    {
        var identity = EmbeddingModelIdentity.Of(Generator)!;
        Assert.Equal("snowflake-arctic-embed-xs", identity.ModelId);
        Assert.Equal(OnnxPooling.Cls, Generator.Model.Pooling);
        Assert.Equal(512, Generator.Model.MaxTokens);
        using var shorter = new OnnxEmbeddingGenerator(OnnxEmbeddingModel.ArcticXs with { MaxTokens = 128 }, new OnnxEmbeddingOptions { Threads = 1 });
        Assert.NotEqual(identity.ContentHash, shorter.Identity.ContentHash);
        Assert.Equal(128, shorter.Tokenize(string.Join(' ', Enumerable.Repeat("word", 500))).Length);
        using var again = new OnnxEmbeddingGenerator(OnnxEmbeddingModel.ArcticXs with { QueryPrefix = "query: " }, new OnnxEmbeddingOptions { Threads = 1 });
        Assert.Equal(identity, again.Identity); // a query prefix changes no stored vector
    }
}
