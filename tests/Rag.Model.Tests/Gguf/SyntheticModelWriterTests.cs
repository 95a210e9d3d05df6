using System.Security.Cryptography;
using Rag.Model.Gguf;
using Rag.Tools.Synthetic;

namespace Rag.Model.Tests.Gguf;

public class SyntheticModelWriterTests
{
    private static GgufReader Write(Action<Stream> write)
    {
        var ms = new MemoryStream();
        write(ms);
        ms.Position = 0;
        return GgufReader.Read(ms);
    }

    // The tensors llama.cpp's LLaMA loader creates (src/models/llama.cpp), with ggml shapes.
    private static Dictionary<string, long[]> ExpectedLlamaTensors(LlamaShape s, long vocab)
    {
        long e = s.EmbeddingLength, kv = (long)s.HeadDimension * s.HeadCountKv, ff = s.FeedForwardLength;
        var d = new Dictionary<string, long[]>
        {
            ["token_embd.weight"] = [e, vocab],
            ["output_norm.weight"] = [e],
        };
        if (!s.TieEmbeddings)
        {
            d["output.weight"] = [e, vocab];
        }

        for (var i = 0; i < s.BlockCount; i++)
        {
            d[$"blk.{i}.attn_norm.weight"] = [e];
            d[$"blk.{i}.attn_q.weight"] = [e, e];
            d[$"blk.{i}.attn_k.weight"] = [e, kv];
            d[$"blk.{i}.attn_v.weight"] = [e, kv];
            d[$"blk.{i}.attn_output.weight"] = [e, e];
            d[$"blk.{i}.ffn_norm.weight"] = [e];
            d[$"blk.{i}.ffn_gate.weight"] = [e, ff];
            d[$"blk.{i}.ffn_up.weight"] = [e, ff];
            d[$"blk.{i}.ffn_down.weight"] = [ff, e];
        }

        return d;
    }

    [Fact]
    public void Tiny_llama_has_the_tensors_and_hparams_llama_cpp_expects()
    {
        var shape = LlamaShape.Tiny;
        using var r = Write(s => SyntheticModelWriter.WriteLlama(s, shape));
        var vocab = r["tokenizer.ggml.tokens"].Count;
        var expected = ExpectedLlamaTensors(shape, vocab);
        Assert.Equal(expected.Keys.Order(), r.Tensors.Select(t => t.Name).Order());
        Assert.All(r.Tensors, t => Assert.Equal(expected[t.Name], t.Dimensions));
        Assert.All(r.Tensors, t => Assert.Equal(t.Dimensions.Count == 1 ? GgmlType.F32 : GgmlType.F16, t.Type));

        Assert.Equal("llama", r.GetString("general.architecture"));
        Assert.Equal(shape.BlockCount, r.GetInt64("llama.block_count"));
        Assert.Equal(shape.EmbeddingLength, r.GetInt64("llama.embedding_length"));
        Assert.Equal(shape.HeadCount, r.GetInt64("llama.attention.head_count"));
        Assert.Equal(shape.HeadCountKv, r.GetInt64("llama.attention.head_count_kv"));
        Assert.Equal(shape.FeedForwardLength, r.GetInt64("llama.feed_forward_length"));
        Assert.Equal(shape.HeadDimension, r.GetInt64("llama.rope.dimension_count"));
        Assert.Equal(shape.ContextLength, r.GetInt64("llama.context_length"));
        Assert.Equal(1, r.GetInt64("general.file_type"));
        Assert.Equal(ChatTemplates.Llama2, r.GetString("tokenizer.chat_template"));
    }

    [Fact]
    public void SmolLM2_shape_with_copied_llama2_vocabulary()
    {
        // one block of the real shape keeps the test fast; the preset's other blocks are identical
        var shape = LlamaShape.SmolLM2_135M with { BlockCount = 1 };
        var tokenizer = GgufTokenizer.FromModel(TestModels.Llama2TinyRandom);
        using var r = Write(s => SyntheticModelWriter.WriteLlama(s, shape, new SyntheticModelOptions { Tokenizer = tokenizer }));

        Assert.Equal(576, r.FindTensor("blk.0.attn_q.weight")!.Dimensions[1]);
        Assert.Equal(new long[] { 576, 192 }, r.FindTensor("blk.0.attn_k.weight")!.Dimensions); // 3 KV heads of 64
        Assert.Equal(new long[] { 1536, 576 }, r.FindTensor("blk.0.ffn_down.weight")!.Dimensions);
        Assert.Null(r.FindTensor("output.weight")); // tied, as in SmolLM2
        Assert.Equal(100000.0, r.GetDouble("llama.rope.freq_base"));

        using var source = GgufReader.Open(TestModels.Llama2TinyRandom);
        foreach (var (key, value) in source.Metadata.Where(kv => kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)))
        {
            Assert.Equal(value.RawValue, r[key].RawValue);
        }

        Assert.Equal(32000, r.GetInt64("llama.vocab_size"));
        Assert.Equal(new long[] { 576, 32000 }, r.FindTensor("token_embd.weight")!.Dimensions);
    }

    [Fact]
    public void Weights_are_deterministic_finite_and_scaled()
    {
        static byte[] Bytes(ulong seed)
        {
            using var ms = new MemoryStream();
            SyntheticModelWriter.WriteLlama(ms, LlamaShape.Tiny, new SyntheticModelOptions { Seed = seed, WeightType = GgmlType.F32 });
            return ms.ToArray();
        }

        var a = Bytes(1);
        Assert.Equal(SHA256.HashData(a), SHA256.HashData(Bytes(1)));
        Assert.NotEqual(SHA256.HashData(a), SHA256.HashData(Bytes(2)));

        using var r = GgufReader.Read(new MemoryStream(a));
        var q = r.ReadTensorFloats(r.FindTensor("blk.0.attn_q.weight")!);
        var mean = q.Average();
        var std = Math.Sqrt(q.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(std, 0.019, 0.021);
        Assert.InRange(mean, -0.001, 0.001);
        Assert.All(q, v => Assert.True(Math.Abs(v) <= 0.02 * Math.Sqrt(3) + 1e-6));
        Assert.All(r.ReadTensorFloats(r.FindTensor("blk.1.ffn_norm.weight")!), v => Assert.Equal(1f, v));
        var k = r.ReadTensorFloats(r.FindTensor("blk.0.attn_k.weight")!);
        Assert.NotEqual(q.Take(64), k.Take(64)); // every tensor gets its own stream
    }

    [Fact]
    public void Bert_embedding_model_matches_llama_cpp_bert_loader()
    {
        var shape = BertShape.TinyEmbedding;
        using var r = Write(s => SyntheticModelWriter.WriteBert(s, shape));
        long e = shape.EmbeddingLength, ff = shape.FeedForwardLength;
        var vocab = r["tokenizer.ggml.tokens"].Count;
        Assert.Equal("bert", r.GetString("general.architecture"));
        Assert.Equal("bert", r.GetString("tokenizer.ggml.model"));
        Assert.Equal(1, r.GetInt64("bert.pooling_type"));
        Assert.False(r["bert.attention.causal"].AsBool());
        Assert.Equal(2, r.GetInt64("tokenizer.ggml.token_type_count")); // the BERT loader refuses a model without it
        Assert.Equal(new long[] { e, vocab }, r.FindTensor("token_embd.weight")!.Dimensions);
        Assert.Equal(new long[] { e, 2 }, r.FindTensor("token_types.weight")!.Dimensions);
        Assert.Equal(GgmlType.F32, r.FindTensor("token_types.weight")!.Type);
        Assert.Equal(new long[] { e, shape.ContextLength }, r.FindTensor("position_embd.weight")!.Dimensions);
        Assert.NotNull(r.FindTensor("token_embd_norm.bias"));
        for (var i = 0; i < shape.BlockCount; i++)
        {
            foreach (var n in new[] { "attn_q", "attn_k", "attn_v", "attn_output" })
            {
                Assert.Equal(new long[] { e, e }, r.FindTensor($"blk.{i}.{n}.weight")!.Dimensions);
                Assert.Equal(new long[] { e }, r.FindTensor($"blk.{i}.{n}.bias")!.Dimensions);
            }

            Assert.Equal(new long[] { e, ff }, r.FindTensor($"blk.{i}.ffn_up.weight")!.Dimensions);
            Assert.Equal(new long[] { ff, e }, r.FindTensor($"blk.{i}.ffn_down.weight")!.Dimensions);
            Assert.NotNull(r.FindTensor($"blk.{i}.attn_output_norm.bias"));
            Assert.NotNull(r.FindTensor($"blk.{i}.layer_output_norm.weight"));
        }

        Assert.Null(r.FindTensor("cls.weight"));
        Assert.Equal(5 + (16 * shape.BlockCount), r.Tensors.Count);
    }

    [Fact]
    public void Reranker_has_rank_pooling_and_classifier_head()
    {
        var shape = BertShape.TinyReranker;
        using var r = Write(s => SyntheticModelWriter.WriteBert(s, shape));
        long e = shape.EmbeddingLength;
        Assert.Equal((long)GgufPoolingType.Rank, r.GetInt64("bert.pooling_type"));
        Assert.Equal(new long[] { e, e }, r.FindTensor("cls.weight")!.Dimensions);
        Assert.Equal(new long[] { e }, r.FindTensor("cls.bias")!.Dimensions);
        Assert.Equal(new long[] { e, 1 }, r.FindTensor("cls.output.weight")!.Dimensions);
        Assert.Equal(new long[] { 1 }, r.FindTensor("cls.output.bias")!.Dimensions);
        Assert.Equal(["score"], r["bert.classifier.output_labels"].AsStringArray());
    }

    [Fact]
    public void WordPiece_vocabulary_covers_ascii_and_marks_word_starts()
    {
        var t = GgufTokenizer.WordPiece(["Protein", "cells", "protein"]);
        var e = t.Entries.ToDictionary(kv => kv.Key, kv => kv.Value);
        var tokens = e["tokenizer.ggml.tokens"].AsStringArray();
        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], tokens.Take(5));
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
        Assert.Contains("\u2581protein", tokens);
        Assert.Contains("\u2581cells", tokens);
        foreach (var c in "abcxyz019.,!?")
        {
            Assert.Contains("\u2581" + c, tokens);
            Assert.Contains(c.ToString(), tokens);
        }

        Assert.Equal(2, e["tokenizer.ggml.bos_token_id"].AsInt64());
        Assert.Equal("[SEP]", tokens[(int)e["tokenizer.ggml.seperator_token_id"].AsInt64()]);
        Assert.Equal(tokens.Count, e["tokenizer.ggml.token_type"].Count);
        Assert.Equal(3, e["tokenizer.ggml.token_type"].AsArray<int>()[0]); // CONTROL
    }

    [Fact]
    public void Chat_template_option_sets_replaces_or_removes()
    {
        using (var r = Write(s => SyntheticModelWriter.WriteLlama(s, LlamaShape.Tiny, new SyntheticModelOptions { ChatTemplate = ChatTemplates.ChatMl })))
        {
            Assert.Contains("<|im_start|>", r.GetString("tokenizer.chat_template"), StringComparison.Ordinal);
        }

        using (var r = Write(s => SyntheticModelWriter.WriteLlama(s, LlamaShape.Tiny, new SyntheticModelOptions { ChatTemplate = string.Empty })))
        {
            Assert.False(r.ContainsKey("tokenizer.chat_template"));
        }

        Assert.Null(ChatTemplates.Resolve("none"));
        Assert.Equal(ChatTemplates.Llama2, ChatTemplates.Resolve("llama2"));
        Assert.Throws<ArgumentException>(() => ChatTemplates.Resolve("vicuna"));
    }

    [Fact]
    public void Invalid_shapes_and_options_are_rejected_with_the_problem_named()
    {
        var e1 = Assert.Throws<ArgumentException>(() => SyntheticModelWriter.WriteLlama(Stream.Null, LlamaShape.Tiny with { HeadCountKv = 3 }));
        Assert.Contains("HeadCountKv", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentException>(() => SyntheticModelWriter.WriteLlama(Stream.Null, LlamaShape.Tiny with { EmbeddingLength = 66 }));
        Assert.Contains("HeadCount", e2.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SyntheticModelWriter.WriteLlama(Stream.Null, LlamaShape.Tiny, new SyntheticModelOptions { WeightType = GgmlType.Q8_0 }));
        Assert.Throws<ArgumentException>(() => SyntheticModelWriter.WriteBert(Stream.Null, BertShape.TinyEmbedding, new SyntheticModelOptions { Tokenizer = GgufTokenizer.ByteFallbackSpm() }));
    }

    [Fact]
    public void Cancelled_write_leaves_no_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rag-cancel-{Guid.NewGuid():N}.gguf");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SyntheticModelWriter.WriteLlama(path, LlamaShape.Tiny, cancellationToken: cts.Token));
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public void Llama3_rope_scaling_is_written_as_rope_freqs()
    {
        var shape = LlamaShape.Tiny with { EmbeddingLength = 256, RopeFreqBase = 500000f, RopeScaling = new Llama3RopeScaling() }; // head dim 64
        using var r = Write(s => SyntheticModelWriter.WriteLlama(s, shape));
        var t = r.FindTensor("rope_freqs.weight")!;
        Assert.Equal(new long[] { 32 }, t.Dimensions);
        Assert.Equal(GgmlType.F32, t.Type);
        var f = r.ReadTensorFloats(t);
        Assert.Equal(1f, f[0]);    // highest frequency: wavelength 2π < 8192/4, unscaled
        Assert.Equal(32f, f[^1]);  // lowest frequency: wavelength far above 8192, scaled by the factor
        Assert.True(f.Zip(f.Skip(1)).All(p => p.First <= p.Second)); // smooth, monotonic in between
        Assert.Contains(f, v => v is > 1f and < 32f);
        Assert.Equal(f, new Llama3RopeScaling().ComputeFactors(64, 500000f));
    }

    [Fact]
    public void Preset_shapes_are_the_published_configurations()
    {
        var s = LlamaShape.SmolLM2_135M;
        Assert.Equal((30, 576, 9, 3, 1536, 64), (s.BlockCount, s.EmbeddingLength, s.HeadCount, s.HeadCountKv, s.FeedForwardLength, s.HeadDimension));
        var l = LlamaShape.Llama32_1B;
        Assert.Equal((16, 2048, 32, 8, 8192, 64), (l.BlockCount, l.EmbeddingLength, l.HeadCount, l.HeadCountKv, l.FeedForwardLength, l.HeadDimension));
        Assert.Equal(32f, l.RopeScaling!.Factor);
        Assert.Null(s.RopeScaling);
        s.Validate();
        l.Validate();
    }
}
