using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Rag.Model.Tests;

public class DependencyInjectionTests
{
    [Fact]
    public void AddRagModel_loads_the_configured_model()
    {
        var services = new ServiceCollection();
        services.AddRagModel(o => { o.ChatModelPath = TestModels.Stories260K; o.Threads = 1; });
        using var sp = services.BuildServiceProvider();
        var model = sp.GetRequiredService<LlamaModel>();
        Assert.Equal(512, model.VocabSize);
        Assert.Same(model, sp.GetRequiredService<LlamaModel>());
    }

    [Fact]
    public void Invalid_options_fail_validation_with_named_problems()
    {
        var services = new ServiceCollection();
        services.AddRagModel(o => { o.ChatModelPath = "/missing/model.gguf"; o.Threads = 0; });
        using var sp = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<LlamaModelOptions>>().Value);
        Assert.Contains(ex.Failures, f => f.Contains("/missing/model.gguf"));
        Assert.Contains(ex.Failures, f => f.Contains("Threads"));
    }
}
