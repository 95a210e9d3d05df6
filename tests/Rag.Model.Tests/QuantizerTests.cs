using Rag.Model.Inference;
using Rag.Model.Quantization;
using Rag.Model.Sampling;

namespace Rag.Model.Tests;

public class QuantizerTests
{
    [Fact]
    public async Task Quantizes_to_q8_0_with_tensor_progress_and_the_result_generates()
    {
        var output = Path.Combine(Path.GetTempPath(), $"rag-q8-{Guid.NewGuid():N}.gguf");
        try
        {
            var reports = new List<LlamaQuantizeProgress>();
            LlamaQuantizer.Quantize(TestModels.Stories260K, output, new LlamaQuantizeOptions { Type = LlamaQuantizationType.Q8_0, Threads = 1 },
                new SyncProgress(reports.Add));

            Assert.Equal(0, reports[0].TensorIndex);
            Assert.Contains(reports, r => r.TensorName == "token_embd.weight");
            Assert.Equal(48, reports[^1].TensorCount);
            Assert.Equal(48, reports[^1].TensorIndex);
            Assert.True(new FileInfo(output).Length < new FileInfo(TestModels.Stories260K).Length / 2);

            using var model = LlamaModel.Load(output);
            Assert.Equal((int)LlamaQuantizationType.Q8_0, model.Metadata.FileType);
            using var ctx = model.CreateContext(new LlamaContextOptions { ContextSize = 128, Threads = 1 });
            var text = await ctx.GenerateTextAsync("Once upon a time", new GenerationOptions { MaxTokens = 16, Sampling = SamplingOptions.Greedy });
            Assert.Contains("girl", text);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void Parses_type_names_and_rejects_unknown_ones()
    {
        Assert.Equal(LlamaQuantizationType.Q4_K_M, LlamaQuantizer.ParseType("q4_k_m"));
        Assert.Equal(LlamaQuantizationType.F16, LlamaQuantizer.ParseType("F16"));
        Assert.Throws<ArgumentException>(() => LlamaQuantizer.ParseType("Q9_9"));
    }

    [Fact]
    public void Bad_input_gives_a_clear_error()
    {
        var notModel = Path.GetTempFileName();
        try
        {
            File.WriteAllText(notModel, "nope");
            var ex = Assert.Throws<InvalidOperationException>(() => LlamaQuantizer.Quantize(notModel, notModel + ".out", new LlamaQuantizeOptions()));
            Assert.Contains("llama_model_quantize failed", ex.Message);
        }
        finally
        {
            File.Delete(notModel);
            File.Delete(notModel + ".out");
        }
    }

    private sealed class SyncProgress(Action<LlamaQuantizeProgress> onReport) : IProgress<LlamaQuantizeProgress>
    {
        public void Report(LlamaQuantizeProgress value) => onReport(value);
    }
}
