using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rag.Core.Retrieval;
using Rag.Model.Serving;

namespace Rag.Model.Tests.Serving;

public class ServingDependencyInjectionTests(BertModelsFixture bert) : IClassFixture<BertModelsFixture>
{
    [Fact]
    public async Task Registers_chat_embeddings_and_reranker_that_run()
    {
        var services = new ServiceCollection();
        services.AddRagModelServing(o =>
        {
            o.ChatModelPath = TestModels.Stories260K;
            o.EmbeddingModelPath = bert.EmbeddingPath;
            o.RerankerModelPath = bert.RerankerPath;
            o.Scheduler = new LlamaSchedulerOptions { ContextSize = 1024, MaxSequences = 4, Threads = 1, BatchSize = 256 };
            o.Embeddings.Threads = 1;
            o.Embeddings.BatchTokens = 512;
        });
        await using (var sp = services.BuildServiceProvider())
        {
            var chat = sp.GetRequiredService<IChatClient>();
            var r = await chat.GetResponseAsync("Once upon a time", new ChatOptions { Temperature = 0, MaxOutputTokens = 8 });
            Assert.NotEmpty(r.Text);
            Assert.Equal("stories260K-llama-f32.gguf", chat.GetService<ChatClientMetadata>()!.DefaultModelId);

            var gen = sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            var e = await gen.GenerateAsync(["a", "b c"]);
            Assert.Equal(2, e.Count);
            Assert.Equal(128, e[0].Vector.Length);
            Assert.Equal(128, gen.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions);

            var reranker = sp.GetRequiredService<IReranker>();
            Assert.Equal(2, (await reranker.ScoreAsync("q", ["x", "y"])).Count);
        }
    }

    [Fact]
    public void Invalid_settings_fail_with_every_problem_listed()
    {
        var services = new ServiceCollection();
        services.AddRagModelServing(o =>
        {
            o.ChatModelPath = "/nonexistent/model.gguf";
            o.Scheduler.MaxSequences = 0;
        });
        using var sp = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<RagModelServingOptions>>().Value);
        Assert.Contains(ex.Failures, f => f.Contains("model file not found", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("Scheduler", StringComparison.Ordinal));
        Assert.Null(sp.GetService<IEmbeddingGenerator<string, Embedding<float>>>());
    }
}

public class ServingDependencyInjectionSharedModelTests
{
    [Fact]
    public async Task Chat_client_serves_the_model_registered_by_AddRagModel()
    {
        var services = new ServiceCollection();
        services.AddRagModel(o => o.ChatModelPath = TestModels.Stories260K);
        services.AddRagModelServing(o => o.Scheduler = new LlamaSchedulerOptions { ContextSize = 512, MaxSequences = 2, Threads = 1, BatchSize = 128 });
        await using var sp = services.BuildServiceProvider();
        var chat = sp.GetRequiredService<IChatClient>();
        Assert.Same(sp.GetRequiredService<LlamaModel>(), chat.GetService<LlamaModel>());
        Assert.NotEmpty((await chat.GetResponseAsync("Once upon a time", new ChatOptions { Temperature = 0, MaxOutputTokens = 4 })).Text);
    }
}
