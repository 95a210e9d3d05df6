using System.ClientModel;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace Rag.Server.Tests;

/// <summary>The official OpenAI .NET SDK (OpenAI 2.15.0), unmodified, against our server on loopback.</summary>
[Collection(ServerCollection.Name)]
public class OpenAiSdkTests(ServerFixture server)
{
    private const string Model = "stories260K-llama-f32";

    private OpenAIClient Client(string key = ServerFixture.ApiKey) =>
        new(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(server.BaseAddress, "/v1"), NetworkTimeout = TimeSpan.FromMinutes(2) });

    [Fact]
    public async Task Lists_the_base_model_the_grounded_alias_and_the_embedding_model()
    {
        var models = (await Client().GetOpenAIModelClient().GetModelsAsync()).Value.Select(m => m.Id).ToList();
        Assert.Contains(Model, models);
        Assert.Contains("rag", models);
        Assert.Equal(models.Count, models.Distinct().Count());
    }

    [Fact]
    public async Task Completes_a_chat_without_streaming_and_streaming_gives_the_same_greedy_text_with_usage()
    {
        var chat = Client().GetChatClient(Model);
        ChatMessage[] messages = [new UserChatMessage("Once upon a time")];
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 24, Temperature = 0 };
        var completion = (await chat.CompleteChatAsync(messages, options)).Value;
        var text = Assert.Single(completion.Content).Text;
        Assert.False(string.IsNullOrWhiteSpace(text));
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.InRange(completion.Usage.OutputTokenCount, 1, 24);
        Assert.True(completion.Usage.InputTokenCount > 3);
        Assert.Contains(completion.FinishReason, new[] { ChatFinishReason.Stop, ChatFinishReason.Length });

        var streamed = new StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        var updates = 0;
        await foreach (var update in chat.CompleteChatStreamingAsync(messages, options))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }

            usage = update.Usage ?? usage;
            finish = update.FinishReason ?? finish;
        }

        Assert.Equal(text, streamed.ToString());
        Assert.True(updates > 3, $"only {updates} updates: the answer did not stream");
        Assert.NotNull(usage);
        Assert.Equal(completion.Usage.OutputTokenCount, usage.OutputTokenCount);
        Assert.Equal(completion.FinishReason, finish);
    }

    [Fact]
    public async Task Honours_max_tokens_and_stop_sequences()
    {
        var chat = Client().GetChatClient(Model);
        ChatMessage[] messages = [new UserChatMessage("Once upon a time")];
        var full = (await chat.CompleteChatAsync(messages, new ChatCompletionOptions { MaxOutputTokenCount = 40, Temperature = 0 })).Value.Content[0].Text;
        var words = full.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(words.Length > 4, full);
        var stop = words[3];
        var stopped = (await chat.CompleteChatAsync(messages, new ChatCompletionOptions { MaxOutputTokenCount = 40, Temperature = 0, StopSequences = { stop } })).Value;
        Assert.DoesNotContain(stop, stopped.Content[0].Text, StringComparison.Ordinal);
        Assert.StartsWith(stopped.Content[0].Text.TrimEnd(), full, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);

        var shortOne = (await chat.CompleteChatAsync(messages, new ChatCompletionOptions { MaxOutputTokenCount = 3, Temperature = 0 })).Value;
        Assert.Equal(3, shortOne.Usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, shortOne.FinishReason);
    }

#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK.
    [Fact]
    public async Task The_same_seed_samples_the_same_text()
    {
        var chat = Client().GetChatClient(Model);
        ChatMessage[] messages = [new UserChatMessage("Once upon a time")];
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 24, Temperature = 1.0f, TopP = 0.95f, Seed = 1234 };
        var a = (await chat.CompleteChatAsync(messages, options)).Value.Content[0].Text;
        var b = (await chat.CompleteChatAsync(messages, options)).Value.Content[0].Text;
        Assert.Equal(a, b);
    }
#pragma warning restore OPENAI001

    [Fact]
    public async Task Json_schema_response_format_gives_json_that_matches_the_schema()
    {
        var chat = Client().GetChatClient(Model);
        var schema = BinaryData.FromString("""
            {"type":"object","properties":{"name":{"type":"string","maxLength":12},"happy":{"type":"boolean"}},"required":["name","happy"],"additionalProperties":false}
            """);
        var options = new ChatCompletionOptions
        {
            MaxOutputTokenCount = 64,
            Temperature = 0,
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("person", schema, jsonSchemaIsStrict: true),
        };
        var completion = (await chat.CompleteChatAsync([new UserChatMessage("Describe a person as JSON.")], options)).Value;
        Assert.True(completion.FinishReason == ChatFinishReason.Stop, completion.Content[0].Text);
        using var json = JsonDocument.Parse(completion.Content[0].Text);
        Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("name").ValueKind);
        Assert.Contains(json.RootElement.GetProperty("happy").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        Assert.Equal(2, json.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public async Task A_required_tool_choice_gets_a_well_formed_tool_call_streaming_and_not()
    {
        var chat = Client().GetChatClient(Model);
        var tool = ChatTool.CreateFunctionTool("get_weather", "Weather of a city.",
            BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string","maxLength":16}},"required":["city"]}"""));
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 64, Temperature = 0, Tools = { tool }, ToolChoice = ChatToolChoice.CreateRequiredChoice() };
        ChatMessage[] messages = [new UserChatMessage("What is the weather in Paris?")];
        var completion = (await chat.CompleteChatAsync(messages, options)).Value;
        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.StartsWith("call_", call.Id, StringComparison.Ordinal);
        using (var args = JsonDocument.Parse(call.FunctionArguments))
        {
            Assert.Equal(JsonValueKind.String, args.RootElement.GetProperty("city").ValueKind);
        }

        string? name = null;
        var arguments = new StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync(messages, options))
        {
            foreach (var t in update.ToolCallUpdates)
            {
                name ??= t.FunctionName;
                arguments.Append(t.FunctionArgumentsUpdate?.ToString());
            }

            finish = update.FinishReason ?? finish;
        }

        Assert.Equal("get_weather", name);
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.Equal(call.FunctionArguments.ToString(), arguments.ToString());

        // The call and its result go back as history, and the model answers.
        var followUp = (await chat.CompleteChatAsync(
            [.. messages, new AssistantChatMessage([call]), new ToolChatMessage(call.Id, "Sunny, 21 C.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 8, Temperature = 0 })).Value;
        Assert.Contains(followUp.FinishReason, new[] { ChatFinishReason.Stop, ChatFinishReason.Length });
        Assert.NotEmpty(followUp.Content[0].Text);
    }

    [Fact]
    public async Task Gets_embeddings_as_floats_of_the_model_width_and_the_same_text_gives_the_same_vector()
    {
        var models = (await Client().GetOpenAIModelClient().GetModelsAsync()).Value.Select(m => m.Id).ToList();
        Assert.Contains(Model, models);
        var embeddings = (await Client().GetEmbeddingClient(Model).GenerateEmbeddingsAsync(["a little dog", "a big red ball", "a little dog"])).Value;
        Assert.Equal(3, embeddings.Count);
        var vectors = embeddings.OrderBy(e => e.Index).Select(e => e.ToFloats().ToArray()).ToList();
        Assert.All(vectors, v => Assert.Equal(64, v.Length));
        // Unit vectors; the same text gives the same vector (to float rounding: batch position changes summation order).
        Assert.All(vectors, v => Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 3));
        Assert.True(Dot(vectors[0], vectors[2]) > 0.99999, $"{Dot(vectors[0], vectors[2])}");
        Assert.True(Dot(vectors[0], vectors[1]) < 0.999, $"{Dot(vectors[0], vectors[1])}");
    }

    [Fact]
    public async Task The_model_name_base_plus_adapter_selects_a_lora_adapter_per_request()
    {
        var models = (await Client().GetOpenAIModelClient().GetModelsAsync()).Value.Select(m => m.Id).ToList();
        Assert.Contains(Model + "+wild", models);
        ChatMessage[] messages = [new UserChatMessage("Once upon a time")];
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 16, Temperature = 0 };
        async Task<string> Complete(string model) => (await Client().GetChatClient(model).CompleteChatAsync(messages, options)).Value.Content[0].Text;
        var plain = await Complete(Model);
        var adapted = await Complete(Model + "+wild");
        Assert.NotEqual(plain, adapted);
        Assert.Equal(adapted, await Complete(Model + "+wild:1"));
        Assert.Equal(plain, await Complete(Model + "+wild:0"));
        Assert.Equal(plain, await Complete(Model));
    }

    [Fact]
    public async Task An_unknown_model_or_adapter_is_a_404_the_sdk_reports()
    {
        var ex = await Assert.ThrowsAsync<ClientResultException>(() =>
            Client().GetChatClient("no-such-model").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(404, ex.Status);
        ex = await Assert.ThrowsAsync<ClientResultException>(() =>
            Client().GetChatClient(Model + "+no-such-adapter").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(404, ex.Status);
    }

    [Fact]
    public async Task The_grounded_alias_answers_with_citations_of_ingested_sources()
    {
        using var http = server.Authorized();
        using (var ingest = await http.PostAsync(new Uri("/api/ingest", UriKind.Relative), Json("""{"documents":[{"id":"lily.txt","title":"Lily","text":"Lily had a red ball. She played with the red ball in the park every day."}]}""")))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, ingest.StatusCode);
        }

        var completion = (await Client().GetChatClient("rag").CompleteChatAsync([new UserChatMessage("What did Lily play with?")],
            new ChatCompletionOptions { MaxOutputTokenCount = 16, Temperature = 0 })).Value;
        Assert.NotEmpty(completion.Content[0].Text);

        // The citations are an extension field the SDK passes through untouched; read them from the raw response.
        using var raw = await http.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative),
            Json("""{"model":"rag","messages":[{"role":"user","content":"What did Lily play with?"}],"max_tokens":8,"temperature":0}"""));
        using var doc = JsonDocument.Parse(await raw.Content.ReadAsStringAsync());
        var citations = doc.RootElement.GetProperty("citations");
        Assert.Contains(citations.EnumerateArray(), c => c.GetProperty("document_id").GetString() == "lily.txt" && c.GetProperty("number").GetInt32() >= 1);
    }

    private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
