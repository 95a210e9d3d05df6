using Rag.Model.Gguf;
using Rag.Tools.Synthetic;

namespace Rag.Model.Tests.Gguf;

public class LoraAdapterWriterTests
{
    [Fact]
    public void Adapter_for_stories260K_has_llama_cpp_lora_layout()
    {
        using var baseModel = GgufReader.Open(TestModels.Stories260K);
        var ms = new MemoryStream();
        var result = LoraAdapterWriter.Write(baseModel, ms, new LoraAdapterOptions { Rank = 4 });
        ms.Position = 0;
        using var r = GgufReader.Read(ms);

        Assert.Equal("adapter", r.GetString("general.type"));
        Assert.Equal("lora", r.GetString("adapter.type"));
        Assert.Equal("llama", r.GetString("general.architecture"));
        Assert.Equal(4.0, r.GetDouble("adapter.lora.alpha"));
        Assert.Equal(result.TensorCount, r.Tensors.Count);

        var targets = baseModel.Tensors.Where(t => LoraAdapterOptions.DefaultTargets.Any(s => t.Name.EndsWith(s, StringComparison.Ordinal))).ToList();
        Assert.Equal(5 * 7, targets.Count); // 5 blocks of stories260K, 7 projections each
        Assert.Equal(2 * targets.Count, r.Tensors.Count);
        foreach (var w in targets)
        {
            var a = r.FindTensor(w.Name + ".lora_a")!;
            var b = r.FindTensor(w.Name + ".lora_b")!;
            Assert.Equal(new[] { w.Dimensions[0], 4L }, a.Dimensions);  // [in, r]
            Assert.Equal(new[] { 4L, w.Dimensions[1] }, b.Dimensions);  // [r, out]
            Assert.Contains(r.ReadTensorFloats(b), v => v != 0);          // non-zero B, so the adapter changes outputs
        }

        Assert.All(r.Tensors, t => Assert.True(t.Name.EndsWith(".lora_a", StringComparison.Ordinal) || t.Name.EndsWith(".lora_b", StringComparison.Ordinal)));
    }

    [Fact]
    public void Targets_and_alpha_are_honoured()
    {
        using var baseModel = GgufReader.Open(TestModels.Stories260K);
        var ms = new MemoryStream();
        LoraAdapterWriter.Write(baseModel, ms, new LoraAdapterOptions { Rank = 2, Alpha = 16, Targets = ["attn_q.weight"] });
        ms.Position = 0;
        using var r = GgufReader.Read(ms);
        Assert.Equal(16.0, r.GetDouble("adapter.lora.alpha"));
        Assert.Equal(10, r.Tensors.Count);
        Assert.All(r.Tensors, t => Assert.Contains(".attn_q.weight.lora_", t.Name, StringComparison.Ordinal));
    }

    [Fact]
    public void No_matching_tensor_is_a_clear_error()
    {
        using var baseModel = GgufReader.Open(TestModels.Stories260K);
        var e = Assert.Throws<ArgumentException>(() => LoraAdapterWriter.Write(baseModel, new MemoryStream(), new LoraAdapterOptions { Targets = ["nope.weight"] }));
        Assert.Contains("nope.weight", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => LoraAdapterWriter.Write(baseModel, new MemoryStream(), new LoraAdapterOptions { Rank = 0 }));
    }
}
