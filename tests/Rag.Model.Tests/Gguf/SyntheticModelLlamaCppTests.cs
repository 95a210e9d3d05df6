using Rag.Model.Gguf;
using Rag.Model.Native;
using Rag.Model.Native.Interop;
using Rag.Model.Chat;
using Rag.Model.Inference;
using Rag.Model.Native.Internal;
using Rag.Model.Quantization;
using Rag.Model.Sampling;
using Rag.Tools.Synthetic;

namespace Rag.Model.Tests.Gguf;

/// <summary>Synthetic models written by our writer, run by the real llama.cpp through our binding.</summary>
public sealed class SyntheticModelLlamaCppTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rag-synth-llama-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static GenerationOptions Greedy(int n) => new() { MaxTokens = n, Sampling = SamplingOptions.Greedy, IgnoreEndOfGeneration = true };

    [Fact]
    public async Task Tiny_llama_with_llama2_vocabulary_loads_tokenizes_and_generates()
    {
        var path = Path.Combine(_dir, "tiny.gguf");
        SyntheticModelWriter.WriteLlama(path, LlamaShape.Tiny, new SyntheticModelOptions { Tokenizer = GgufTokenizer.FromModel(TestModels.Llama2TinyRandom) });

        using var model = LlamaModel.Load(path);
        Assert.Equal("llama", model.Metadata.Architecture);
        Assert.Equal(32000, model.VocabSize);
        Assert.Equal(LlamaShape.Tiny.EmbeddingLength, model.Metadata.EmbeddingSize);
        Assert.Equal(LlamaShape.Tiny.BlockCount, model.Metadata.LayerCount);
        Assert.Equal(LlamaShape.Tiny.HeadCountKv, model.Metadata.KvHeadCount);
        Assert.Equal(ChatTemplates.Llama2, model.Metadata.ChatTemplate);
        Assert.Equal(GgufModelInfo.FromFile(path).ParameterCount, model.Metadata.ParameterCount);

        // the copied vocabulary tokenizes exactly as the model it came from
        using (var source = LlamaModel.Load(TestModels.Llama2TinyRandom, new LlamaModelLoadOptions { VocabOnly = true }))
        {
            const string text = "Hello world, the [INST] tokenizer is copied.\n";
            Assert.Equal(source.Tokenize(text), model.Tokenize(text));
        }

        // llama.cpp applies the template we wrote as its llama2 format
        var prompt = model.ApplyChatTemplate([new LlamaChatMessage("system", "Be brief."), new LlamaChatMessage("user", "Hi")]);
        Assert.Contains("[INST] <<SYS>>", prompt, StringComparison.Ordinal);

        var texts = new List<string>();
        for (var run = 0; run < 2; run++)
        {
            using var ctx = model.CreateContext(new LlamaContextOptions { ContextSize = 128, Threads = 1 });
            var n = 0;
            var text = new System.Text.StringBuilder();
            await foreach (var t in ctx.GenerateAsync("Once upon a time", Greedy(12)))
            {
                Assert.InRange(t.TokenId, 0, 31999);
                text.Append(t.Text);
                n++;
            }

            Assert.Equal(12, n);
            texts.Add(text.ToString());
        }

        Assert.Equal(texts[0], texts[1]);
    }

    [Fact]
    public void Every_scalar_type_we_write_reads_back_identically_in_llama_cpp()
    {
        var path = Path.Combine(_dir, "typed.gguf");
        var options = new SyntheticModelOptions();
        var extra = new Dictionary<string, GgufValue>
        {
            ["test.u8"] = GgufValue.FromUInt8(200),
            ["test.i8"] = GgufValue.FromInt8(-100),
            ["test.u16"] = GgufValue.FromUInt16(60000),
            ["test.i16"] = GgufValue.FromInt16(-30000),
            ["test.u32"] = GgufValue.FromUInt32(4_000_000_000),
            ["test.i32"] = GgufValue.FromInt32(-2_000_000_000),
            ["test.u64"] = GgufValue.FromUInt64(18_000_000_000_000_000_000),
            ["test.i64"] = GgufValue.FromInt64(-9_000_000_000_000_000_000),
            ["test.f32"] = GgufValue.FromFloat32(3.25f),
            ["test.f64"] = GgufValue.FromFloat64(-0.5),
            ["test.bool"] = GgufValue.FromBool(true),
            ["test.str"] = GgufValue.FromString("héllo ▁ 你好"),
            ["general.license"] = GgufValue.FromString("mit"),
        };
        foreach (var (k, v) in extra)
        {
            options.ExtraMetadata[k] = v;
        }

        SyntheticModelWriter.WriteLlama(path, LlamaShape.Tiny with { BlockCount = 1 }, options);
        using var model = LlamaModel.Load(path);
        var values = model.Metadata.Values;

        // llama.cpp renders numbers with std::to_string (floats with six decimals)
        Assert.Equal("200", values["test.u8"]);
        Assert.Equal("-100", values["test.i8"]);
        Assert.Equal("60000", values["test.u16"]);
        Assert.Equal("-30000", values["test.i16"]);
        Assert.Equal("4000000000", values["test.u32"]);
        Assert.Equal("-2000000000", values["test.i32"]);
        Assert.Equal("18000000000000000000", values["test.u64"]);
        Assert.Equal("-9000000000000000000", values["test.i64"]);
        Assert.Equal("3.250000", values["test.f32"]);
        Assert.Equal("-0.500000", values["test.f64"]);
        Assert.Equal("true", values["test.bool"]);
        Assert.Equal("héllo ▁ 你好", values["test.str"]);
        Assert.Equal("mit", values["general.license"]);
    }

    [Fact]
    public async Task Llama3_rope_scaled_model_loads_and_generates()
    {
        var path = Path.Combine(_dir, "llama3ish.gguf");
        SyntheticModelWriter.WriteLlama(path, LlamaShape.Tiny with { EmbeddingLength = 256, RopeFreqBase = 500000f, RopeScaling = new Llama3RopeScaling() });
        using var model = LlamaModel.Load(path);
        using var ctx = model.CreateContext(new LlamaContextOptions { ContextSize = 64, Threads = 1 });
        var n = 0;
        await foreach (var t in ctx.GenerateAsync("hello", Greedy(4)))
        {
            n++;
        }

        Assert.Equal(4, n);
    }

    [Fact]
    public async Task Tiny_llama_quantizes_to_Q8_0_and_still_generates()
    {
        var f16 = Path.Combine(_dir, "tiny-f16.gguf");
        var q8 = Path.Combine(_dir, "tiny-q8_0.gguf");
        SyntheticModelWriter.WriteLlama(f16, LlamaShape.Tiny);
        LlamaQuantizer.Quantize(f16, q8, new LlamaQuantizeOptions { Type = LlamaQuantizationType.Q8_0, Threads = 1 });

        var info = GgufModelInfo.FromFile(q8);
        Assert.Equal("Q8_0", info.FileType);
        Assert.True(info.TensorTypes[GgmlType.Q8_0] >= 16);
        Assert.True(info.FileSizeBytes < new FileInfo(f16).Length);

        using var model = LlamaModel.Load(q8);
        using var ctx = model.CreateContext(new LlamaContextOptions { ContextSize = 64, Threads = 1 });
        var n = 0;
        await foreach (var t in ctx.GenerateAsync("hello", Greedy(6)))
        {
            n++;
        }

        Assert.Equal(6, n);
    }

    /// <summary>Issue 3, acceptance 3, through our own binding: the full SmolLM2-135M shape, F16 → Q8_0 and Q4_K_M, each generates.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task SmolLM2_135M_shape_loads_quantizes_and_generates()
    {
        var f16 = Path.Combine(_dir, "smollm2-135m-f16.gguf");
        var written = SyntheticModelWriter.WriteLlama(f16, LlamaShape.SmolLM2_135M, new SyntheticModelOptions { Tokenizer = GgufTokenizer.FromModel(TestModels.Llama2TinyRandom) });
        Assert.Equal(124_635_456, written.ParameterCount); // 30 × 3.74 M per block + 576 × 32000 tied embeddings + norms
        foreach (var type in new[] { LlamaQuantizationType.F16, LlamaQuantizationType.Q8_0, LlamaQuantizationType.Q4_K_M })
        {
            var path = f16;
            if (type != LlamaQuantizationType.F16)
            {
                path = Path.Combine(_dir, $"smollm2-135m-{type}.gguf");
                LlamaQuantizer.Quantize(f16, path, new LlamaQuantizeOptions { Type = type, Threads = 2 });
                Assert.Equal(type.ToString(), GgufModelInfo.FromFile(path).FileType);
            }

            using var model = LlamaModel.Load(path);
            Assert.Equal(30, model.Metadata.LayerCount);
            using var ctx = model.CreateContext(new LlamaContextOptions { ContextSize = 128, Threads = 1 });
            var n = 0;
            await foreach (var t in ctx.GenerateAsync("Once upon a time", Greedy(16)))
            {
                n++;
            }

            Assert.Equal(16, n);
        }
    }

    [Fact]
    public unsafe void Bert_embedding_model_produces_finite_deterministic_vectors()
    {
        var path = Path.Combine(_dir, "bert.gguf");
        var shape = BertShape.TinyEmbedding with { BlockCount = 2 };
        SyntheticModelWriter.WriteBert(path, shape);
        using var model = LlamaModel.Load(path);
        Assert.Equal("bert", model.Metadata.Architecture);
        Assert.Equal("WPM", model.Metadata.VocabType);

        float[] Embed(string text)
        {
            using var ctx = model.CreateContext(new LlamaContextOptions { ContextSize = 128, Threads = 1, Embeddings = true });
            var tokens = model.Tokenize(text);
            Assert.Equal(2, tokens[0]);  // [CLS]
            Assert.Equal(3, tokens[^1]); // [SEP]
            ctx.Decode(tokens.Select((t, i) => new BatchToken(t, i, 0, true)).ToArray());
            using var lease = new HandleLease(ctx.Handle, "context");
            var p = LlamaNative.llama_get_embeddings_seq(lease.Pointer, 0);
            Assert.True(p is not null);
            return new ReadOnlySpan<float>(p, model.Metadata.EmbeddingSize).ToArray();
        }

        var a = Embed("the patients showed increased risk");
        Assert.Equal(shape.EmbeddingLength, a.Length);
        Assert.All(a, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(a, v => Math.Abs(v) > 1e-3);
        Assert.Equal(a, Embed("the patients showed increased risk"));
        Assert.NotEqual(a, Embed("music for children"));
    }

    [Fact]
    public unsafe void Reranker_gives_one_finite_deterministic_score_per_pair()
    {
        var path = Path.Combine(_dir, "rerank.gguf");
        SyntheticModelWriter.WriteBert(path, BertShape.TinyReranker with { BlockCount = 2 });
        using var model = LlamaModel.Load(path);

        float Score(string query, string doc)
        {
            using var ctx = model.CreateContext(new LlamaContextOptions { ContextSize = 128, Threads = 1, Embeddings = true });
            var tokens = model.Tokenize(query).Concat(model.Tokenize(doc, addSpecial: false)).Append(3).ToArray(); // [CLS] q [SEP] d [SEP]
            ctx.Decode(tokens.Select((t, i) => new BatchToken(t, i, 0, true)).ToArray());
            using var lease = new HandleLease(ctx.Handle, "context");
            var p = LlamaNative.llama_get_embeddings_seq(lease.Pointer, 0);
            Assert.True(p is not null);
            return p[0];
        }

        var s1 = Score("what causes cancer", "the patients showed increased risk of cancer");
        var s2 = Score("what causes cancer", "music and games for children");
        Assert.True(float.IsFinite(s1) && float.IsFinite(s2));
        Assert.Equal(s1, Score("what causes cancer", "the patients showed increased risk of cancer"));
        Assert.NotEqual(s1, s2);
    }
}
