using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Rag.Model.Serving;
using Rag.SemanticKernel.Plugins;
using Rag.SemanticKernel.VectorData;

namespace Rag.SemanticKernel.Tests;

/// <summary>
/// A Kernel composed through <c>AddRag(configuration)</c> over the real services: stories260K on llama.cpp (1 thread),
/// a real index store in a temporary folder, the hashing embedder.
/// </summary>
public sealed class KernelTests : IAsyncDisposable
{
    private readonly TempDir _dir = new();
    private readonly ServiceProvider _services;
    private readonly List<string> _invoked = [];
    private readonly Dictionary<string, string> _results = [];

    public KernelTests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rag:Index:Directory"] = _dir.Combine("index"),
            ["Rag:Retrieval:TopK"] = "3",
            ["Rag:Answer:MaxSources"] = "2",
            ["Rag:Answer:MaxSourceCharacters"] = "200",
            ["Rag:Answer:MaxOutputTokens"] = "24",
        }).Build();
        var services = new ServiceCollection();
        services.AddRag(configuration)
            .AddHashingEmbeddings()
            .AddIndexStore()
            .AddAnswerer()
            .AddSemanticKernel((_, kernel) => kernel.FunctionInvocationFilters.Add(new RecordingFilter(_invoked, _results)));
        services.AddRagModelServing(o =>
        {
            o.ChatModelPath = TestModels.Stories260K;
            o.Scheduler = new LlamaSchedulerOptions { ContextSize = 1024, MaxSequences = 2, Threads = 1, BatchSize = 256 };
            o.Chat.DefaultTemperature = 0;
        });
        _services = services.BuildServiceProvider();
    }

    private async Task SeedAsync() => await _services.GetRequiredService<RagVectorStoreCollection>().UpsertAsync(
    [
        new RagVectorRecord { Key = "lily", Title = "Lily", Section = "Park", Text = "Lily went to the park with her mom. She saw a big red ball and played with it." },
        new RagVectorRecord { Key = "tom", Title = "Tom", Text = "Tom had a little dog. The dog liked to run in the garden." },
    ]);

    [Fact]
    public async Task The_kernel_uses_our_chat_client_and_embedder_and_answers_through_a_prompt_function()
    {
        var kernel = _services.GetRequiredService<Kernel>();
        Assert.Same(_services.GetRequiredService<IChatClient>(), kernel.GetRequiredService<IChatClient>());
        Assert.Same(_services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
            kernel.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());

        var settings = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["temperature"] = 0, ["max_tokens"] = 16 } };
        var function = kernel.CreateFunctionFromPrompt("Once upon a time, {{$name}}", settings, functionName: "story");
        var result = await kernel.InvokeAsync(function, new KernelArguments { ["name"] = "Lily" });
        var text = result.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(text));

        // The prompt went to the model as rendered: greedy decoding of the same user message gives the same text.
        var direct = await _services.GetRequiredService<IChatClient>().GetResponseAsync(
            "Once upon a time, Lily", new ChatOptions { Temperature = 0, MaxOutputTokens = 16 });
        Assert.Equal(direct.Text, text);
        Assert.Equal(["story"], _invoked);
    }

    [Fact]
    public async Task The_kernel_invokes_RagPlugin_ask_and_search()
    {
        await SeedAsync();
        var kernel = _services.GetRequiredService<Kernel>();
        var ask = kernel.Plugins.GetFunction(SemanticKernelRagBuilderExtensions.PluginName, "ask");

        var result = await kernel.InvokeAsync(ask, new KernelArguments { ["question"] = "What did Lily see in the park?" });
        var text = result.GetValue<string>()!;
        Assert.Equal(["ask"], _invoked);
        Assert.Contains("Sources:", text, StringComparison.Ordinal);
        Assert.Contains("[1] Lily > Park (lily)", text, StringComparison.Ordinal);

        // The answer is the one the answerer gives for the same sources (greedy decoding).
        var typed = await _services.GetRequiredService<RagPlugin>().AnswerAsync("What did Lily see in the park?");
        Assert.StartsWith(typed.Text, text, StringComparison.Ordinal);
        Assert.Equal("lily", typed.Sources[0].Chunk.DocumentId);

        var found = (await kernel.InvokeAsync(SemanticKernelRagBuilderExtensions.PluginName, "search",
            new KernelArguments { ["query"] = "little dog garden", ["top"] = 1 })).GetValue<string>()!;
        Assert.StartsWith("[1] Tom (tom): Tom had a little dog.", found, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_call_from_the_model_invokes_RagPlugin_ask_automatically()
    {
        // stories260K cannot decide to call a tool, so the call is required: our chat client then constrains decoding with a
        // grammar to a well-formed call of rag-ask, and Semantic Kernel's function-calling loop invokes the plugin and sends
        // its result back to the model for the final answer.
        await SeedAsync();
        var kernel = _services.GetRequiredService<Kernel>();
        var ask = kernel.Plugins.GetFunction(SemanticKernelRagBuilderExtensions.PluginName, "ask");
        var settings = new PromptExecutionSettings
        {
            FunctionChoiceBehavior = FunctionChoiceBehavior.Required([ask]),
            // Room for the whole call: the grammar fixes its shape, not the length of the question the model writes.
            ExtensionData = new Dictionary<string, object> { ["temperature"] = 0, ["max_tokens"] = 300 },
        };
        var result = await kernel.InvokePromptAsync("Use the tool to answer: what did Lily see in the park?", new KernelArguments(settings));

        Assert.Contains("ask", _invoked);
        // The plugin ran for real: retrieval over the seeded index and an answer with its sources.
        Assert.Contains("Sources:", _results["ask"], StringComparison.Ordinal);
        Assert.NotNull(result.GetValue<string>());
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _dir.Dispose();
    }

    private sealed class RecordingFilter(List<string> invoked, Dictionary<string, string> results) : IFunctionInvocationFilter
    {
        public async Task OnFunctionInvocationAsync(Microsoft.SemanticKernel.FunctionInvocationContext context, Func<Microsoft.SemanticKernel.FunctionInvocationContext, Task> next)
        {
            lock (invoked)
            {
                invoked.Add(context.Function.Name);
            }

            await next(context);
            lock (invoked)
            {
                results[context.Function.Name] = context.Result.ToString();
            }
        }
    }
}
