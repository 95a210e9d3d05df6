using Rag.Model.Quantization;
using System.Numerics.Tensors;
using Rag.Model;
using Rag.Model.Embeddings;
using Rag.Model.Gguf;
using Rag.Model.Gguf.Conversion;
using Rag.Core.Embeddings;

namespace Rag.Onnx.Tests;

public sealed class GgufConversionTests(ConvertedModelsFixture fixture) : IClassFixture<ConvertedModelsFixture>
{
    private static readonly string[] Quickstart = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."];

    [Fact]
    public void Writes_llama_cpp_bert_metadata_and_the_real_special_ids()
    {
        var r = fixture.MiniLmF32;
        Assert.Equal((6, 384, 12, 1536, 512, 30522, LlamaPoolingType.Mean, 1e-12f), (r.Layers, r.EmbeddingLength, r.HeadCount, r.FeedForwardLength, r.ContextLength, r.VocabularySize, r.Pooling, r.LayerNormEpsilon));
        Assert.Equal(5 + (6 * 16), r.TensorCount);
        using var gguf = GgufReader.Open(r.Path);
        Assert.Equal("bert", gguf.GetString("general.architecture"));
        Assert.Equal("all-MiniLM-L6-v2", gguf.GetString("general.name"));
        Assert.Equal(1L, gguf.GetInt64("bert.pooling_type"));
        Assert.Equal(1e-12f, (float)gguf.GetDouble("bert.attention.layer_norm_epsilon")!.Value);
        foreach (var (key, id) in new[] { ("padding", 0L), ("unknown", 100L), ("cls", 101L), ("seperator", 102L), ("mask", 103L) })
        {
            Assert.Equal(id, gguf.GetInt64($"tokenizer.ggml.{key}_token_id"));
        }

        gguf.TryGetValue("tokenizer.ggml.tokens", out var tokenList);
        var tokens = tokenList.AsStringArray();
        Assert.Equal(("[PAD]", "[UNK]", "[CLS]", "\u2581the", "s"), (tokens[0], tokens[100], tokens[101], tokens[1996], tokens[2015]));
        Assert.Equal(256L, gguf.GetInt64(OnnxBertConverter.MaxTokensKey));
        var q = gguf.Tensors.Single(t => t.Name == "blk.0.attn_q.weight");
        Assert.Equal([384L, 384L], q.Dimensions);
        Assert.Equal([1536L, 384L], gguf.Tensors.Single(t => t.Name == "blk.5.ffn_down.weight").Dimensions);
    }

    [Fact]
    public async Task LlamaCpp_runs_the_converted_minilm_as_onnx_runtime_does()
    {
        using var model = LlamaModel.Load(fixture.MiniLmF32.Path);
        await using var embedder = new LlamaEmbedder(model, new LlamaEmbedderOptions { Threads = 1 });
        Assert.Equal(LlamaPoolingType.Mean, embedder.Pooling);
        var llama = await embedder.EmbedAsync(Quickstart);
        var onnx = await fixture.MiniLm.GenerateAsync(Quickstart);
        for (int i = 0; i < Quickstart.Length; i++)
        {
            Assert.Equal(fixture.MiniLm.Tokenize(Quickstart[i]), embedder.Tokenize(Quickstart[i]));
            Assert.True(TensorPrimitives.CosineSimilarity(llama[i], onnx[i].Vector.Span) > 0.9999, $"sentence {i}");
        }

        Assert.Equal(0.6660, TensorPrimitives.Dot(llama[0], llama[1]), 0.001);
        Assert.Equal(0.1046, TensorPrimitives.Dot(llama[0], llama[2]), 0.001);
        Assert.Equal(0.1411, TensorPrimitives.Dot(llama[1], llama[2]), 0.001);
    }

    [Fact]
    public async Task The_q8_0_model_stays_close()
    {
        Assert.Equal(LlamaQuantizationType.Q8_0, fixture.MiniLmQ8.Type);
        Assert.True(fixture.MiniLmQ8.FileSizeBytes < fixture.MiniLmF32.FileSizeBytes / 3);
        using var model = LlamaModel.Load(fixture.MiniLmQ8.Path);
        await using var embedder = new LlamaEmbedder(model, new LlamaEmbedderOptions { Threads = 1 });
        var llama = await embedder.EmbedAsync(Quickstart);
        var onnx = await fixture.MiniLm.GenerateAsync(Quickstart);
        for (int i = 0; i < Quickstart.Length; i++)
        {
            Assert.True(TensorPrimitives.CosineSimilarity(llama[i], onnx[i].Vector.Span) > 0.995, $"sentence {i}");
        }
    }

    [Fact]
    public async Task Arctic_converts_with_cls_pooling_and_its_query_prefix()
    {
        Assert.Equal(LlamaPoolingType.Cls, fixture.ArcticF32.Pooling);
        using var model = LlamaModel.Load(fixture.ArcticF32.Path);
        Assert.Equal(OnnxEmbeddingModelQueryPrefix, model.Metadata.Values[OnnxBertConverter.QueryPrefixKey]);
        await using var embedder = new LlamaEmbedder(model, new LlamaEmbedderOptions { Threads = 1 });
        var llama = await embedder.EmbedAsync(Quickstart);
        var onnx = await fixture.Arctic.GenerateAsync(Quickstart);
        for (int i = 0; i < Quickstart.Length; i++)
        {
            Assert.True(TensorPrimitives.CosineSimilarity(llama[i], onnx[i].Vector.Span) > 0.9999, $"sentence {i}");
        }

        // Queries: LlamaEmbeddingGenerator reads the prefix from the GGUF and applies it when a call marks queries.
        using var generator = new LlamaEmbeddingGenerator(embedder);
        Assert.Equal(OnnxEmbeddingModelQueryPrefix, generator.QueryPrefix);
        var llamaQueries = await generator.GenerateAsync(Quickstart, EmbeddingInput.ForQueries());
        var onnxQueries = await fixture.Arctic.GenerateAsync(Quickstart, EmbeddingInput.ForQueries());
        for (int i = 0; i < Quickstart.Length; i++)
        {
            Assert.True(TensorPrimitives.CosineSimilarity(llamaQueries[i].Vector.Span, onnxQueries[i].Vector.Span) > 0.9999, $"query {i}");
            Assert.True(TensorPrimitives.CosineSimilarity(llamaQueries[i].Vector.Span, llama[i]) < 0.99, $"query {i} is prefixed");
        }
    }

    [Fact]
    public void Refuses_what_is_not_a_bert_onnx_model()
    {
        var output = Path.Combine(fixture.Directory, "bad.gguf");
        var source = ConvertedModelsFixture.Source(Embeddings.OnnxEmbeddingModel.MiniLm);
        var notOnnx = Assert.Throws<OnnxConversionException>(() => OnnxBertConverter.Convert(source with { Model = "not a model"u8.ToArray() }, output));
        Assert.Contains("not", notOnnx.Message, StringComparison.Ordinal);
        var truncated = Assert.Throws<OnnxConversionException>(() => OnnxBertConverter.Convert(source with { Model = source.Model[..1000] }, output));
        Assert.Contains("truncated", truncated.Message, StringComparison.Ordinal);
        var vocab = Assert.Throws<OnnxConversionException>(() => OnnxBertConverter.Convert(source with { Vocabulary = source.Vocabulary.Take(1000).ToArray() }, output));
        Assert.Contains("1000 tokens", vocab.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(fixture.Directory, "*.partial"));
    }

    private static string OnnxEmbeddingModelQueryPrefix => Embeddings.OnnxEmbeddingModel.ArcticXs.QueryPrefix;
}
