using Rag.Model.Inference;
using Rag.Model.Sampling;

namespace Rag.Model.Tests;

public sealed class ModelLoadTests
{
    [Fact]
    public void Metadata_describes_stories260K()
    {
        using var model = LlamaModel.Load(TestModels.Stories260K);
        var m = model.Metadata;
        Assert.Equal("llama", m.Architecture);
        Assert.Equal(2048, m.ContextLength);
        Assert.Equal(512, m.VocabSize);
        Assert.Equal(64, m.EmbeddingSize);
        Assert.Equal(5, m.LayerCount);
        Assert.Equal(8, m.HeadCount);
        Assert.Equal(4, m.KvHeadCount);
        Assert.Equal("SPM", m.VocabType);
        Assert.InRange(m.ParameterCount, 200_000, 300_000);
        Assert.Equal(1, m.BosToken);
        Assert.Equal(2, m.EosToken);
        Assert.Null(m.ChatTemplate);
        Assert.Equal("llama", m.Values["general.architecture"]);
        Assert.Contains("tokenizer.ggml.model", m.Values.Keys);
    }

    [Fact]
    public void Quantization_type_is_reported()
    {
        using var model = LlamaModel.Load(TestModels.Llama2TinyRandom);
        Assert.Equal(1, model.Metadata.FileType); // LLAMA_FTYPE_MOSTLY_F16
        Assert.Contains("F16", model.Metadata.FileTypeName);
    }

    [Fact]
    public void Progress_is_reported_up_to_one()
    {
        var seen = new List<float>();
        using var model = LlamaModel.Load(TestModels.Stories260K, progress: new SyncProgress(seen.Add));
        Assert.NotEmpty(seen);
        Assert.Equal(1f, seen[^1]);
    }

    [Fact]
    public void Cancelled_load_throws_OperationCanceledException()
    {
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(_ => cts.Cancel());
        Assert.ThrowsAny<OperationCanceledException>(() => LlamaModel.Load(TestModels.Stories260K, progress: progress, cancellationToken: cts.Token));
        using var again = LlamaModel.Load(TestModels.Stories260K);
        Assert.Equal(512, again.VocabSize);
    }

    [Fact]
    public void Non_gguf_file_gives_a_specific_exception_and_the_process_goes_on()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "this is not a model, just text");
            var ex = Assert.Throws<LlamaModelLoadException>(() => LlamaModel.Load(path));
            Assert.Equal(LlamaModelLoadFailure.NotGguf, ex.Reason);
            Assert.Contains("not a GGUF", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }

        using var model = LlamaModel.Load(TestModels.Stories260K);
        Assert.Equal(512, model.VocabSize);
    }

    [Fact]
    public void Truncated_gguf_gives_a_specific_exception_and_the_process_goes_on()
    {
        var bytes = File.ReadAllBytes(TestModels.Stories260K);
        foreach (var keep in new[] { bytes.Length / 2, 2000 })
        {
            var path = Path.GetTempFileName();
            try
            {
                File.WriteAllBytes(path, bytes[..keep]);
                var ex = Assert.Throws<LlamaModelLoadException>(() => LlamaModel.Load(path));
                Assert.Equal(LlamaModelLoadFailure.Truncated, ex.Reason);
                Assert.Contains("truncated", ex.Message);
            }
            finally
            {
                File.Delete(path);
            }
        }

        using var model = LlamaModel.Load(TestModels.Stories260K);
        Assert.Equal(512, model.VocabSize);
    }

    [Fact]
    public void Missing_file_throws_FileNotFoundException()
    {
        Assert.Throws<FileNotFoundException>(() => LlamaModel.Load("/definitely/not/here.gguf"));
    }

    [Fact]
    public void Dispose_twice_is_safe_and_use_after_dispose_throws()
    {
        var model = LlamaModel.Load(TestModels.Stories260K);
        var ctx = model.CreateContext(new LlamaContextOptions { ContextSize = 64, Threads = 1 });
        ctx.Dispose();
        ctx.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ctx.ClearMemory());
        Assert.Throws<ObjectDisposedException>(() => ctx.GenerateAsync(new[] { 1, 2 }));
        model.Dispose();
        model.Dispose();
        Assert.True(model.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => model.Tokenize("x"));
        Assert.Throws<ObjectDisposedException>(() => model.CreateContext());
    }

    [Fact]
    public async Task Context_keeps_working_after_its_model_is_disposed()
    {
        var model = LlamaModel.Load(TestModels.Stories260K);
        using var ctx = model.CreateContext(new LlamaContextOptions { ContextSize = 64, Threads = 1 });
        var prompt = model.Tokenize("Once");
        model.Dispose();
        var count = 0;
        await foreach (var _ in ctx.GenerateAsync(prompt, new GenerationOptions { MaxTokens = 5, Sampling = SamplingOptions.Greedy }))
        {
            count++;
        }

        Assert.Equal(5, count);
    }

    [Fact]
    public void Chat_template_falls_back_to_chatml_when_the_model_has_none()
    {
        using var model = LlamaModel.Load(TestModels.Stories260K);
        var text = model.ApplyChatTemplate([new("system", "Be brief."), new("user", "Hi")]);
        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", text);
        var llama2 = model.ApplyChatTemplate([new("user", "Hi")], template: "llama2");
        Assert.Contains("[INST]", llama2);
        Assert.Throws<ArgumentException>(() => model.ApplyChatTemplate([new("user", "Hi")], template: "no-such-template"));
    }

    private sealed class SyncProgress(Action<float> onReport) : IProgress<float>
    {
        public void Report(float value) => onReport(value);
    }
}
