using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rag.Core.Retrieval;
using Rag.Model.Embeddings;
using Rag.Model.Native;

namespace Rag.Model.Tests.Serving;

public class LlamaRagBuilderTests(BertModelsFixture bert) : IClassFixture<BertModelsFixture>
{
    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public async Task Chat_embeddings_and_reranker_bound_from_configuration_run()
    {
        var services = new ServiceCollection();
        services.AddRag(Config(
            ("Rag:Model:Chat:ModelPath", TestModels.Stories260K), ("Rag:Model:Chat:Threads", "1"), ("Rag:Model:Chat:ContextSize", "1024"),
            ("Rag:Model:Chat:MaxSequences", "2"), ("Rag:Model:Chat:BatchSize", "256"),
            ("Rag:Model:Embedding:ModelPath", bert.EmbeddingPath), ("Rag:Model:Embedding:Threads", "1"), ("Rag:Model:Embedding:BatchSize", "512"),
            ("Rag:Model:Reranker:ModelPath", bert.RerankerPath), ("Rag:Model:Reranker:Threads", "1"))).AddLlama();
        await using var sp = services.BuildServiceProvider();

        var chat = sp.GetRequiredService<IChatClient>();
        var r = await chat.GetResponseAsync("Once upon a time", new ChatOptions { Temperature = 0, MaxOutputTokens = 8 });
        Assert.NotEmpty(r.Text);
        Assert.Equal("stories260K-llama-f32.gguf", chat.GetService<ChatClientMetadata>()!.DefaultModelId);

        var gen = sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var e = await gen.GenerateAsync(["a", "b c"]);
        Assert.Equal(2, e.Count);
        Assert.Equal(128, e[0].Vector.Length);

        var reranker = sp.GetRequiredService<IReranker>();
        Assert.Equal(2, (await reranker.ScoreAsync("q", ["x", "y"])).Count);
    }

    [Fact]
    public void A_role_without_a_model_fails_when_resolved_naming_the_setting()
    {
        var services = new ServiceCollection();
        services.AddRag(Config()).AddLlamaChat();
        using var sp = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IChatClient>());
        Assert.Contains("Rag:Model:Chat:ModelPath", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_file_fails_when_resolved_naming_the_file()
    {
        var services = new ServiceCollection();
        services.AddRag(Config(("Rag:Model:Embedding:ModelPath", "/nonexistent/embed.gguf"))).AddLlamaEmbeddings();
        using var sp = services.BuildServiceProvider();
        var ex = Assert.Throws<FileNotFoundException>(() => sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Contains("/nonexistent/embed.gguf", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_fail_validation_naming_the_option()
    {
        var services = new ServiceCollection();
        services.AddRag(Config(("Rag:Model:Chat:Threads", "0"), ("Rag:Model:Chat:GpuLayers", "-2"))).AddLlamaChat();
        using var sp = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptionsMonitor<LlamaModelOptions>>().Get(LlamaModelRoles.Chat));
        Assert.Contains(ex.Failures, f => f.Contains("Threads", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("GpuLayers", StringComparison.Ordinal));
    }

    [Fact]
    public void The_llama_embedder_replaces_an_embedder_registered_before_it()
    {
        var services = new ServiceCollection();
        services.AddRag(Config(("Rag:Model:Embedding:ModelPath", bert.EmbeddingPath), ("Rag:Model:Embedding:Threads", "1")))
            .AddHashingEmbeddings().AddLlamaEmbeddings();
        using var sp = services.BuildServiceProvider();
        Assert.IsType<LlamaEmbeddingGenerator>(sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Single(services, d => d.ServiceType == typeof(IEmbeddingGenerator<string, Embedding<float>>));
    }

    [Fact]
    public void Initializing_the_backend_again_with_other_libraries_is_an_error()
    {
        var first = LlamaBackend.Initialize();
        Assert.Same(first, LlamaBackend.Initialize(new LlamaBackendOptions { NativeLibraryPath = first.NativeDirectory }));
        var ex = Assert.Throws<InvalidOperationException>(() => LlamaBackend.Initialize(new LlamaBackendOptions { NativeLibraryPath = "/somewhere/else" }));
        Assert.Contains("already initialised", ex.Message, StringComparison.Ordinal);
    }
}
