using Rag.Model.Gguf;

namespace Rag.Model.Tests.Gguf;

/// <summary>Reads the shared test models and checks the facts their MANIFEST.md states.</summary>
public class GgufReaderSharedModelTests
{
    [Fact]
    public void Stories260K_metadata_matches_manifest()
    {
        using var r = GgufReader.Open(TestModels.Stories260K);
        Assert.Equal(3u, r.Version);
        Assert.Equal("llama", r.GetString("general.architecture"));
        Assert.Equal(2048, r.GetInt64("llama.context_length"));
        Assert.Equal(64, r.GetInt64("llama.embedding_length"));
        Assert.Equal(5, r.GetInt64("llama.block_count"));
        Assert.Equal(172, r.GetInt64("llama.feed_forward_length"));
        Assert.Equal(8, r.GetInt64("llama.attention.head_count"));
        Assert.Equal(4, r.GetInt64("llama.attention.head_count_kv"));
        Assert.Equal(48, r.Tensors.Count);
        Assert.All(r.Tensors, t => Assert.Equal(GgmlType.F32, t.Type));
        Assert.False(r.ContainsKey("general.file_type"));
        Assert.Equal("llama", r.GetString("tokenizer.ggml.model"));
        Assert.Equal(512, r["tokenizer.ggml.tokens"].Count);
        Assert.Equal(1, r.GetInt64("tokenizer.ggml.bos_token_id"));
        Assert.Equal(2, r.GetInt64("tokenizer.ggml.eos_token_id"));
        Assert.Equal(0, r.GetInt64("tokenizer.ggml.unknown_token_id"));

        // the last tensor's data ends inside the file, and every tensor is readable
        var last = r.Tensors.MaxBy(t => t.Offset)!;
        Assert.True(r.GetAbsoluteOffset(last) + last.ByteSize <= r.FileLength);
        var embd = r.FindTensor("token_embd.weight")!;
        Assert.Equal(new long[] { 64, 512 }, embd.Dimensions);
        var values = r.ReadTensorFloats(embd);
        Assert.Equal(64 * 512, values.Length);
        Assert.Contains(values, v => v != 0);
        Assert.All(values, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Llama2TinyRandom_metadata_matches_manifest()
    {
        using var r = GgufReader.Open(TestModels.Llama2TinyRandom);
        Assert.Equal("llama", r.GetString("general.architecture"));
        Assert.Equal(4096, r.GetInt64("llama.context_length"));
        Assert.Equal(8, r.GetInt64("llama.embedding_length"));
        Assert.Equal(1, r.GetInt64("llama.block_count"));
        Assert.Equal(32, r.GetInt64("llama.feed_forward_length"));
        Assert.Equal(2, r.GetInt64("llama.attention.head_count"));
        Assert.Equal(1, r.GetInt64("general.file_type"));
        Assert.Equal(9, r.Tensors.Count(t => t.Type == GgmlType.F16));
        Assert.Equal(3, r.Tensors.Count(t => t.Type == GgmlType.F32));
        var tokens = r["tokenizer.ggml.tokens"].AsStringArray();
        Assert.Equal(32000, tokens.Count);
        Assert.Equal("<s>", tokens[1]);
        Assert.Equal("</s>", tokens[2]);
        Assert.Equal(32000, r["tokenizer.ggml.scores"].AsArray<float>().Count);
        Assert.Equal(32000, r["tokenizer.ggml.token_type"].AsArray<int>().Count);

        var f16 = r.Tensors.First(t => t.Type == GgmlType.F16);
        var floats = r.ReadTensorFloats(f16);
        Assert.Equal(f16.ElementCount, floats.Length);
        Assert.All(floats, v => Assert.True(float.IsFinite(v)));
    }
}
