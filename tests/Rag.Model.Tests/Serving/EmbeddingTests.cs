using Rag.Model.Embeddings;
using Rag.Model.Reranking;
using Rag.Model.Inference;

namespace Rag.Model.Tests.Serving;

public class EmbeddingTests(BertModelsFixture fx) : IClassFixture<BertModelsFixture>
{
    private static readonly string[] Texts =
    [
        "the cat sat on the mat",
        "a dog runs in the park",
        "retrieval augmented generation with small models",
        "hello",
        "the quick brown fox jumps over the lazy dog again and again",
    ];

    private static LlamaEmbedderOptions Opts(LlamaPoolingType pooling) => new() { Pooling = pooling, Threads = 1, BatchTokens = 512 };

    [Fact]
    public async Task Pooled_vectors_have_model_width_and_unit_length()
    {
        await using var e = new LlamaEmbedder(fx.Embedding, Opts(LlamaPoolingType.Unspecified));
        Assert.Equal(LlamaPoolingType.Mean, e.Pooling); // the writer records mean pooling
        var v = await e.EmbedAsync(Texts);
        Assert.Equal(Texts.Length, v.Count);
        foreach (var x in v)
        {
            Assert.Equal(128, x.Length);
            Assert.Equal(1.0, Math.Sqrt(x.Sum(f => (double)f * f)), 4);
        }

        Assert.NotEqual(v[0], v[1]);
    }

    [Theory]
    [InlineData(LlamaPoolingType.Mean)]
    [InlineData(LlamaPoolingType.Cls)]
    [InlineData(LlamaPoolingType.Last)]
    public async Task Pooled_result_equals_hand_computation_from_per_token_outputs(LlamaPoolingType pooling)
    {
        await using var none = new LlamaEmbedder(fx.Embedding, Opts(LlamaPoolingType.None));
        await using var pooled = new LlamaEmbedder(fx.Embedding, Opts(pooling));
        // Several texts at once, so batching across sequences is exercised too.
        var batch = await pooled.EmbedAsync(Texts);
        for (var t = 0; t < Texts.Length; t++)
        {
            var rows = await none.EmbedTokensAsync(Texts[t]);
            Assert.Equal(none.Tokenize(Texts[t]).Length, rows.Length);
            var expected = new float[rows[0].Length];
            switch (pooling)
            {
                case LlamaPoolingType.Mean:
                    foreach (var r in rows)
                    {
                        for (var i = 0; i < r.Length; i++)
                        {
                            expected[i] += r[i] / rows.Length;
                        }
                    }

                    break;
                case LlamaPoolingType.Cls:
                    rows[0].CopyTo(expected, 0);
                    break;
                default:
                    rows[^1].CopyTo(expected, 0);
                    break;
            }

            LlamaEmbedder.L2Normalize(expected);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.InRange(Math.Abs(expected[i] - batch[t][i]), 0, 1e-4);
            }
        }
    }

    [Fact]
    public async Task Concurrent_requests_share_batches_and_match_single_requests()
    {
        await using var e = new LlamaEmbedder(fx.Embedding, Opts(LlamaPoolingType.Mean));
        var single = new List<float[]>();
        foreach (var t in Texts)
        {
            single.Add(await e.EmbedAsync(t));
        }

        var before = e.BatchCount;
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => e.EmbedAsync(Texts[i % Texts.Length])));
        for (var i = 0; i < concurrent.Length; i++)
        {
            var s = single[i % Texts.Length];
            for (var k = 0; k < s.Length; k++)
            {
                Assert.InRange(Math.Abs(s[k] - concurrent[i][k]), 0, 1e-4);
            }
        }

        Assert.True(e.BatchCount - before < 20, $"{e.BatchCount - before} batches for 20 requests");
    }

    [Fact]
    public async Task Too_long_input_throws_overflow_unless_truncating()
    {
        var o = Opts(LlamaPoolingType.Mean);
        o.BatchTokens = 64;
        await using var e = new LlamaEmbedder(fx.Embedding, o);
        var longText = string.Join(" ", Enumerable.Repeat("the cat sat on the mat", 40));
        await Assert.ThrowsAsync<LlamaContextOverflowException>(() => e.EmbedAsync(longText));
        Assert.Equal(128, (await e.EmbedAsync("still works")).Length);
        o = Opts(LlamaPoolingType.Mean);
        o.BatchTokens = 64;
        o.Truncate = true;
        await using var t = new LlamaEmbedder(fx.Embedding, o);
        Assert.Equal(128, (await t.EmbedAsync(longText)).Length);
    }

    [Fact]
    public async Task Reranker_scores_pairs_deterministically()
    {
        await using var r = new LlamaReranker(fx.Reranker, new LlamaEmbedderOptions { Threads = 1, BatchTokens = 512 });
        var passages = Texts.Skip(1).ToArray();
        var a = await r.ScoreAsync(Texts[0], passages);
        var again = await r.ScoreAsync(Texts[0], passages);
        var b = await r.ScoreAsync(Texts[0], passages.Reverse().ToArray());
        Assert.Equal(passages.Length, a.Count);
        Assert.Equal(a, again); // same batch, same bits
        // Other batch layouts change only float rounding.
        Assert.All(a.Zip(b.Reverse()), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 1e-4));
        Assert.True(a.Distinct().Count() > 1);
        var single = await r.ScoreAsync(Texts[0], [passages[2]]);
        Assert.InRange(Math.Abs(a[2] - single[0]), 0, 1e-4);
        Assert.All(a, s => Assert.True(float.IsFinite(s)));
    }

    [Fact]
    public void Reranker_on_a_model_without_classifier_head_throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LlamaReranker(fx.Embedding, new LlamaEmbedderOptions { Threads = 1, BatchTokens = 128 }));
        Assert.Contains("classifier", ex.Message, StringComparison.Ordinal);
    }
}
