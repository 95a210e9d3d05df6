using System.Text.Json;
using Microsoft.Extensions.AI;
using Rag.Model.Chat;
using Rag.Model.Serving;
using Rag.Model.Inference;

namespace Rag.Model.Tests.Serving;

public class ChatClientTests(Stories260KFixture fx) : IClassFixture<Stories260KFixture>
{
    private LlamaChatClient Client() => new(new LlamaBatchScheduler(fx.Model, new LlamaSchedulerOptions { ContextSize = 8192, MaxSequences = 8, Threads = 1, BatchSize = 512 }), ownsScheduler: true);

    private static readonly AIFunctionDeclaration Weather = AIFunctionFactory.CreateDeclaration("get_weather", "Gets the weather for a city",
        JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city","days"]}""").RootElement);

    private static readonly AIFunctionDeclaration Add = AIFunctionFactory.CreateDeclaration("add", "Adds two numbers",
        JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}""").RootElement);

    [Fact]
    public async Task Required_tool_gives_a_parseable_function_call_in_50_of_50_runs()
    {
        using var client = Client();
        var tasks = Enumerable.Range(0, 50).Select(i => client.GetResponseAsync(
            [new ChatMessage(ChatRole.User, i % 2 == 0 ? "What is the weather in Paris?" : "Once upon a time there was a cat.")],
            new ChatOptions { Tools = [Weather, Add], ToolMode = ChatToolMode.RequireAny, Temperature = 0.9f, Seed = i, MaxOutputTokens = 300 }));
        var responses = await Task.WhenAll(tasks);
        var names = new HashSet<string>();
        foreach (var r in responses)
        {
            var call = Assert.Single(r.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
            Assert.Equal(ChatFinishReason.ToolCalls, r.FinishReason);
            names.Add(call.Name);
            Assert.NotNull(call.Arguments);
            if (call.Name == "get_weather")
            {
                Assert.Equal(JsonValueKind.String, ((JsonElement)call.Arguments!["city"]!).ValueKind);
                Assert.Equal(JsonValueKind.Number, ((JsonElement)call.Arguments["days"]!).ValueKind);
                ((JsonElement)call.Arguments["days"]!).GetInt64();
            }
            else
            {
                Assert.Equal("add", call.Name);
                ((JsonElement)call.Arguments!["a"]!).GetDouble();
                ((JsonElement)call.Arguments["b"]!).GetDouble();
            }
        }

        Assert.NotEmpty(names);
    }

    [Fact]
    public async Task Specific_required_tool_is_called_and_streaming_returns_it_at_the_end()
    {
        using var client = Client();
        var updates = await client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "add numbers")],
            new ChatOptions { Tools = [Weather, Add], ToolMode = ChatToolMode.RequireSpecific("add"), Seed = 3 }).ToListAsync();
        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("add", call.Name);
        Assert.Equal(ChatFinishReason.ToolCalls, updates[^1].FinishReason);
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")],
            new ChatOptions { Tools = [Weather], ToolMode = ChatToolMode.RequireSpecific("nope") }));
    }

    [Fact]
    public async Task Json_schema_response_format_gives_valid_json()
    {
        using var client = Client();
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]}""").RootElement;
        var r = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Describe a person")],
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "person"), Temperature = 0, MaxOutputTokens = 200 });
        using var doc = JsonDocument.Parse(r.Text);
        Assert.Equal(JsonValueKind.String, doc.RootElement.GetProperty("name").ValueKind);
        doc.RootElement.GetProperty("age").GetInt64();
    }

    [Fact]
    public async Task Streaming_and_non_streaming_greedy_agree_and_options_map_onto_the_sampler()
    {
        using var client = Client();
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 24, StopSequences = ["zzz"], Seed = 5, FrequencyPenalty = 0.1f, PresencePenalty = 0.2f, TopK = 7, TopP = 0.5f };
        var messages = new[] { new ChatMessage(ChatRole.User, "Tell me a story") };
        var full = await client.GetResponseAsync(messages, options);
        var streamed = await client.GetStreamingResponseAsync(messages, options).ToListAsync();
        Assert.Equal(full.Text, string.Concat(streamed.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Length, full.FinishReason);
        Assert.Equal(24, full.Usage!.OutputTokenCount);
        Assert.Equal("stories260K-llama-f32.gguf", full.ModelId);
        Assert.Equal("stories260K-llama-f32.gguf", client.GetService<ChatClientMetadata>()!.DefaultModelId);

        var g = client.MapOptions(new ChatOptions { Temperature = 0.5f, TopP = 0.5f, TopK = 7, Seed = 9, MaxOutputTokens = 11, StopSequences = ["x"], FrequencyPenalty = 0.3f, PresencePenalty = 0.4f }, out _, out _);
        Assert.Equal((0.5f, 0.5f, 7, 9u, 11, 0.3f, 0.4f), (g.Sampling.Temperature, g.Sampling.TopP, g.Sampling.TopK, g.Sampling.Seed!.Value, g.MaxTokens, g.Sampling.FrequencyPenalty, g.Sampling.PresencePenalty));
        Assert.Equal(["x"], g.StopStrings);
    }
}
