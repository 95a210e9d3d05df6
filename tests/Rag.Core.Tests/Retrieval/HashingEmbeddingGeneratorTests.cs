using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Rag.Core.Embeddings;

namespace Rag.Core.Tests.Retrieval;

public class HashingEmbeddingGeneratorTests
{
    [Fact]
    public async Task Embeddings_are_deterministic_unit_length_and_lexically_similar()
    {
        using IEmbeddingGenerator<string, Embedding<float>> gen = new HashingEmbeddingGenerator(384);
        var e = await gen.GenerateAsync(["Running foxes jump high", "a fox runs and jumps", "Quarterly tax filing deadlines", "Running foxes jump high"]);
        Assert.Equal(4, e.Count);
        Assert.All(e, x => Assert.Equal(384, x.Vector.Length));
        Assert.All(e, x => Assert.Equal(1f, TensorPrimitives.Norm(x.Vector.Span), 4));
        Assert.Equal(e[0].Vector.ToArray(), e[3].Vector.ToArray());
        float related = TensorPrimitives.Dot(e[0].Vector.Span, e[1].Vector.Span);
        float unrelated = TensorPrimitives.Dot(e[0].Vector.Span, e[2].Vector.Span);
        Assert.True(related > unrelated + 0.3f, $"related {related}, unrelated {unrelated}");
        Assert.Equal(384, gen.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions);
    }

    [Fact]
    public void Empty_text_gives_a_zero_vector_and_bad_settings_throw()
    {
        using var gen = new HashingEmbeddingGenerator(64);
        Assert.All(gen.Embed("the of and"), v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashingEmbeddingGenerator(2));
    }
}
