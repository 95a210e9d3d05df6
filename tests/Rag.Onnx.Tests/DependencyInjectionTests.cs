using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rag.Core.Embeddings;
using Rag.Onnx.Embeddings;

namespace Rag.Onnx.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task AddOnnxEmbeddings_binds_Rag_Model_Embedding()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rag:Model:Embedding:Model"] = "arctic-xs",
            ["Rag:Model:Embedding:Threads"] = "1",
            ["Rag:Model:Embedding:MaxTokens"] = "128",
            ["Rag:Model:Embedding:QueryPrefix"] = "query: ",
        }).Build();
        var services = new ServiceCollection();
        services.AddRag(configuration).AddOnnxEmbeddings(o => o.BatchSize = 4);
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var onnx = Assert.IsType<OnnxEmbeddingGenerator>(generator);
        Assert.Equal(("snowflake-arctic-embed-xs", 128, "query: ", OnnxPooling.Cls, 1), (onnx.Model.ModelId, onnx.Model.MaxTokens, onnx.Model.QueryPrefix, onnx.Model.Pooling, onnx.Threads));
        Assert.Equal(4, provider.GetRequiredService<IOptions<OnnxEmbeddingOptions>>().Value.BatchSize);
        Assert.Equal(384, EmbeddingModelIdentity.Of(generator)!.Dimension);
    }

    [Fact]
    public void Invalid_options_fail_validation_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rag:Model:Embedding:BatchSize"] = "0",
        }).Build();
        var services = new ServiceCollection();
        services.AddRag(configuration).AddOnnxEmbeddings();
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<OnnxEmbeddingOptions>>().Value);
        Assert.Contains("BatchSize", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_fails_at_resolve_time_with_the_path()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rag:Model:Embedding:Model"] = "/nonexistent/model.onnx",
        }).Build();
        var services = new ServiceCollection();
        services.AddRag(configuration).AddOnnxEmbeddings();
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<OnnxModelException>(() => provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Contains("/nonexistent/model.onnx", e.Message, StringComparison.Ordinal);
    }
}
