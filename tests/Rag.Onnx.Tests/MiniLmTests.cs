using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Rag.Core.Embeddings;
using Rag.Onnx.Embeddings;

namespace Rag.Onnx.Tests;

public sealed class MiniLmTests(MiniLmFixture fixture) : IClassFixture<MiniLmFixture>
{
    private static readonly string[] Quickstart = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."];

    private OnnxEmbeddingGenerator Generator => fixture.Generator;

    [Fact]
    public async Task Reproduces_the_sentence_transformers_quickstart_similarities()
    {
        var e = await Generator.GenerateAsync(Quickstart);
        Assert.Equal(3, e.Count);
        Assert.All(e, v => Assert.Equal(384, v.Vector.Length));
        Assert.All(e, v => Assert.Equal(1f, TensorPrimitives.Norm(v.Vector.Span), 4));

        // sentence-transformers' README: model.similarity(embeddings, embeddings) for these three sentences.
        Assert.Equal(0.6660, Cosine(e[0], e[1]), 0.001);
        Assert.Equal(0.1046, Cosine(e[0], e[2]), 0.001);
        Assert.Equal(0.1411, Cosine(e[1], e[2]), 0.001);
        Assert.Equal("all-MiniLM-L6-v2", e[0].ModelId);
        Assert.Equal(8 + 9 + 8, e.Usage!.InputTokenCount);
    }

    [Fact]
    public void Truncates_at_the_word_piece_as_hugging_face_does()
    {
        // 253 words, then one of two pieces ("token", "##ization"): 255 pieces, so at 256 (254 + [CLS] + [SEP]) the cut
        // falls inside the last word. Hugging Face keeps its first piece.
        var text = string.Concat(Enumerable.Repeat("the ", 253)) + "tokenization";
        var ids = Generator.Tokenize(text);
        Assert.Equal(256, ids.Length);
        Assert.Equal(Generator.Tokenize("tokenization")[1], ids[^2]);
        Assert.Equal(102, ids[^1]);
        Assert.Equal(4, Generator.Tokenize("tokenization").Length);
    }

    [Fact]
    public void Tokenizes_as_bert_base_uncased()
    {
        // The ids Hugging Face's tokenizer gives (bert-base-uncased vocabulary, whose packaged copy has CR LF line ends).
        Assert.Equal([101, 1996, 4633, 2003, 8403, 2651, 1012, 102], Generator.Tokenize(Quickstart[0]));
        Assert.Equal([101, 2009, 1005, 1055, 2061, 11559, 2648, 999, 102], Generator.Tokenize(Quickstart[1]));

        // Uncased BERT lower-cases and strips accents; curly quotes are punctuation of their own.
        Assert.Equal([101, 7668, 13746, 102], Generator.Tokenize("CAFÉ Résumé"));
        Assert.Equal([101, 15743, 102], Generator.Tokenize("naïve"));
        Assert.Equal(Generator.Tokenize("cafe"), Generator.Tokenize("cafe\u0301")); // already decomposed
        var quoted = Generator.Tokenize("\u201cword\u201d");
        Assert.Equal(5, quoted.Length);
        Assert.Equal(Generator.Tokenize("word")[1], quoted[2]);
    }

    [Theory]
    [InlineData("p < 0.05", "p < 0 . 05")] // ASCII symbols are BERT punctuation: split, never dropped
    [InlineData("CD4+ T cells", "cd ##4 + t cells")]
    [InlineData("42±11 years", "42 ##± ##11 years")] // other symbols stay inside their word, as in Hugging Face
    [InlineData("online_services", "online _ services")]
    [InlineData("37°C", "37 ##° ##c")]
    [InlineData("zero\u200Bwidth", "zero ##wi ##dt ##h")] // format characters are removed, joining the word
    [InlineData("the [SEP] token", "the [SEP] token")]
    public void Splits_words_as_hugging_face_bert_does(string text, string pieces)
    {
        var vocabulary = OnnxEmbeddingModel.MiniLm.ReadVocabulary();
        var ids = Generator.Tokenize(text);
        Assert.Equal(pieces, string.Join(' ', ids[1..^1].Select(id => vocabulary[id])));
    }

    [Fact]
    public void Vocabulary_lines_lose_their_carriage_returns()
    {
        var vocabulary = OnnxEmbeddingModel.MiniLm.ReadVocabulary();
        Assert.Equal(30522, vocabulary.Count);
        Assert.DoesNotContain(vocabulary, t => t.Contains('\r', StringComparison.Ordinal));
        Assert.Equal(("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"), (vocabulary[0], vocabulary[100], vocabulary[101], vocabulary[102], vocabulary[103]));
    }

    [Fact]
    public void Long_texts_are_cut_to_the_model_length_keeping_sep()
    {
        var ids = Generator.Tokenize(string.Join(' ', Enumerable.Repeat("retrieval", 1000)));
        Assert.Equal(256, ids.Length);
        Assert.Equal(101, ids[0]);
        Assert.Equal(102, ids[^1]);
    }

    [Fact]
    public async Task A_batch_of_mixed_lengths_gives_each_text_its_own_vector()
    {
        string[] texts =
        [
            "short",
            "A much longer sentence about the retrieval of scientific abstracts with dense vectors and BM25.",
            "",
            string.Join(' ', Enumerable.Repeat("padding must not leak into the mean", 60)),
            "short",
        ];
        var together = await Generator.GenerateAsync(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            var alone = await Generator.GenerateAsync([texts[i]]);
            Assert.True(Cosine(alone[0], together[i]) > 0.99999, $"text {i}: {Cosine(alone[0], together[i])}");
        }

        Assert.Equal(1.0, Cosine(together[0], together[4]), 6);
    }

    [Fact]
    public async Task MiniLm_is_symmetric_so_queries_and_documents_embed_alike()
    {
        var document = await Generator.GenerateAsync(["what is hybrid retrieval?"]);
        var query = await Generator.GenerateAsync(["what is hybrid retrieval?"], EmbeddingInput.ForQueries());
        Assert.Equal(1.0, Cosine(document[0], query[0]), 6);
    }

    [Fact]
    public async Task Reports_metadata_and_identity_and_rejects_other_dimensions()
    {
        var metadata = Generator.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.Equal(("onnxruntime", "all-MiniLM-L6-v2", 384), (metadata.ProviderName, metadata.DefaultModelId, metadata.DefaultModelDimensions));
        var identity = EmbeddingModelIdentity.Of(Generator)!;
        Assert.Equal(("all-MiniLM-L6-v2", 384), (identity.ModelId, identity.Dimension));
        Assert.Matches("^sha256:[0-9a-f]{64}$", identity.ContentHash);
        Assert.Same(Generator, Generator.GetService<OnnxEmbeddingGenerator>());
        await Assert.ThrowsAsync<ArgumentException>(() => Generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 768 }));
        Assert.Empty(await Generator.GenerateAsync([]));
    }

    [Fact]
    public async Task A_cancelled_call_throws_and_the_generator_still_works()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Generator.GenerateAsync(["anything"], cancellationToken: cts.Token));
        Assert.Single(await Generator.GenerateAsync(["still works"]));
    }

    [Fact]
    public async Task Concurrent_calls_share_the_session()
    {
        var expected = await Generator.GenerateAsync(Quickstart);
        var calls = Enumerable.Range(0, 6).Select(i => Generator.GenerateAsync([Quickstart[i % 3]])).ToArray();
        var results = await Task.WhenAll(calls);
        for (int i = 0; i < results.Length; i++)
        {
            Assert.True(Cosine(results[i][0], expected[i % 3]) > 0.99999);
        }
    }

    internal static double Cosine(Embedding<float> a, Embedding<float> b) => TensorPrimitives.CosineSimilarity(a.Vector.Span, b.Vector.Span);
}
