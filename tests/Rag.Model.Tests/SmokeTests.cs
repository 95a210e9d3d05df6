using Rag.Model.Native;

namespace Rag.Model.Tests;

public class SmokeTests
{
    [Fact]
    public async Task Loads_and_generates()
    {
        var info = LlamaBackend.Initialize();
        Assert.NotEmpty(info.Devices);
        using var model = LlamaModel.Load(TestModels.Stories260K);
        Assert.Equal("llama", model.Metadata.Architecture);
        using var ctx = model.CreateContext(new LlamaContextOptions { ContextSize = 256, Threads = 1 });
        var text = await ctx.GenerateTextAsync("Once upon a time", new GenerationOptions { MaxTokens = 64, Sampling = SamplingOptions.Greedy });
        File.WriteAllText("/tmp/ours.txt", text);
        Assert.NotEmpty(text);
    }
}
