using Rag.Model.Gguf;
using Rag.Model.Lora;
using Rag.Model.Native;

namespace Rag.Model.Tests.Gguf;

public class LoraAdapterFileTests
{
    [Fact]
    public void Write_then_read_round_trips_and_llama_cpp_loads_it()
    {
        using var baseModel = GgufReader.Open(TestModels.Stories260K);
        var q = baseModel.FindTensor("blk.0.attn_q.weight")!;
        int inSize = (int)q.Dimensions[0], outSize = (int)q.Dimensions[1];
        var a = Enumerable.Range(0, 2 * inSize).Select(i => i * 0.001f).ToArray();
        var b = Enumerable.Range(0, outSize * 2).Select(i => -i * 0.002f).ToArray();
        var file = new LoraAdapterFile("llama", 4f, [new LoraAdapterTensor(q.Name, inSize, outSize, 2, a, b)])
        {
            Name = "t",
            BaseModelFingerprint = LoraAdapterFile.ComputeFingerprint(baseModel),
        };
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "a.gguf");
        file.Write(path);

        var back = LoraAdapterFile.Read(path);
        Assert.Equal("llama", back.Architecture);
        Assert.Equal(4f, back.Alpha);
        Assert.Equal("t", back.Name);
        Assert.Equal(file.BaseModelFingerprint, back.BaseModelFingerprint);
        var t = Assert.Single(back.Tensors);
        Assert.Equal((q.Name, inSize, outSize, 2), (t.BaseName, t.InputSize, t.OutputSize, t.Rank));
        Assert.Equal(a, t.A);
        Assert.Equal(b, t.B);

        LlamaBackend.Initialize();
        using var model = LlamaModel.Load(TestModels.Stories260K);
        using var adapter = LlamaLoraAdapter.Load(model, path);
        Assert.Equal(4f, adapter.Alpha);
    }

    [Fact]
    public void Fingerprint_tells_models_apart_and_a_foreign_fingerprint_is_refused_on_load()
    {
        using var stories = GgufReader.Open(TestModels.Stories260K);
        using var tiny = GgufReader.Open(TestModels.Llama2TinyRandom);
        Assert.Equal(LoraAdapterFile.ComputeFingerprint(stories), LoraAdapterFile.ComputeFingerprint(stories));
        Assert.NotEqual(LoraAdapterFile.ComputeFingerprint(stories), LoraAdapterFile.ComputeFingerprint(tiny));

        // right shapes for stories260K, but recorded as made for the other model: llama.cpp alone would accept it
        var q = stories.FindTensor("blk.0.attn_q.weight")!;
        var file = new LoraAdapterFile("llama", 1f, [new LoraAdapterTensor(q.Name, 64, 64, 1, new float[64], new float[64])])
        {
            BaseModelFingerprint = LoraAdapterFile.ComputeFingerprint(tiny),
        };
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "foreign.gguf");
        file.Write(path);
        LlamaBackend.Initialize();
        using var model = LlamaModel.Load(TestModels.Stories260K);
        var e = Assert.Throws<LlamaLoraAdapterException>(() => LlamaLoraAdapter.Load(model, path));
        Assert.Contains("another model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_file_is_not_an_adapter()
    {
        using var r = GgufReader.Open(TestModels.Stories260K);
        Assert.False(LoraAdapterFile.IsLoraAdapter(r));
        var e = Assert.Throws<InvalidDataException>(() => LoraAdapterFile.Read(r));
        Assert.Contains("not a LoRA adapter", e.Message, StringComparison.Ordinal);
    }
}
