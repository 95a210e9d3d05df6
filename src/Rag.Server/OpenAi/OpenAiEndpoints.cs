using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Rag.Core.Answering;
using Rag.Server.Hosting;
using Rag.Server.Metrics;

namespace Rag.Server.OpenAi;

/// <summary>The OpenAI-compatible endpoints: <c>/v1/models</c>, <c>/v1/chat/completions</c> and <c>/v1/embeddings</c>.</summary>
internal static class OpenAiEndpoints
{
    public static Task ListModelsAsync(HttpContext http)
    {
        var models = http.RequestServices.GetRequiredService<ServedModels>();
        return HttpJson.WriteAsync(http.Response, 200, j =>
        {
            j.WriteStartObject();
            j.WriteString("object", "list");
            j.WriteStartArray("data");
            foreach (var id in models.ListIds())
            {
                WriteModel(j, id);
            }

            j.WriteEndArray();
            j.WriteEndObject();
        });
    }

    public static Task GetModelAsync(HttpContext http, string id)
    {
        var models = http.RequestServices.GetRequiredService<ServedModels>();
        return models.ListIds().Contains(id)
            ? HttpJson.WriteAsync(http.Response, 200, j => WriteModel(j, id))
            : throw new ApiException(404, $"The model '{id}' does not exist.", "model", "model_not_found");
    }

    public static async Task ChatCompletionsAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var ct = http.RequestAborted;
        Readiness.Require(services);
        var started = Stopwatch.GetTimestamp();
        using var doc = await HttpJson.ReadAsync(http.Request, ct).ConfigureAwait(false);
        var request = ChatRequestParser.Parse(doc.RootElement);
        var selection = services.GetRequiredService<ServedModels>().ResolveChat(request.Model);
        var metrics = services.GetRequiredService<ServerMetrics>();
        IList<ChatMessage> messages = request.Messages;
        IReadOnlyList<AnswerSource>? sources = null;
        if (selection.Grounded || request.Grounding is not null)
        {
            var question = request.Messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text
                ?? throw ChatRequestParser.Bad("Grounding needs a user message to retrieve for.", "messages");
            sources = await services.GetRequiredService<Grounding>().RetrieveAsync(question, request.Grounding?.TopK, ct).ConfigureAwait(false);
            var system = services.GetRequiredService<RagAnswerer>().BuildMessages(question, sources)[0];
            messages = [system, .. request.Messages];
        }

        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (!request.Stream)
        {
            var response = await selection.Client.GetResponseAsync(messages, request.Options, ct).ConfigureAwait(false);
            metrics.TimeToFirstToken.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            metrics.GeneratedTokens.Add(response.Usage?.OutputTokenCount ?? 0);
            var text = response.Text;
            var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            await HttpJson.WriteAsync(http.Response, 200, j =>
            {
                j.WriteStartObject();
                j.WriteString("id", id);
                j.WriteString("object", "chat.completion");
                j.WriteNumber("created", created);
                j.WriteString("model", selection.Id);
                j.WriteStartArray("choices");
                j.WriteStartObject();
                j.WriteNumber("index", 0);
                j.WriteStartObject("message");
                j.WriteString("role", "assistant");
                if (calls.Count > 0)
                {
                    j.WriteNull("content");
                    WriteToolCalls(j, calls, withIndex: false);
                }
                else
                {
                    j.WriteString("content", text);
                }

                j.WriteNull("refusal");
                j.WriteEndObject();
                j.WriteNull("logprobs");
                j.WriteString("finish_reason", FinishReason(response.FinishReason));
                j.WriteEndObject();
                j.WriteEndArray();
                WriteUsage(j, response.Usage);
                if (sources is not null)
                {
                    Grounding.WriteCitations(j, "citations", sources, RagAnswerer.ExtractCitations(text, sources.Count));
                }

                j.WriteEndObject();
            }, ct).ConfigureAwait(false);
            return;
        }

        // Start generating before answering: an overloaded scheduler then still gets a 429, not a broken stream.
        var updates = selection.Client.GetStreamingResponseAsync(messages, request.Options, ct).GetAsyncEnumerator(ct);
        await using (updates.ConfigureAwait(false))
        {
            var has = await updates.MoveNextAsync().ConfigureAwait(false);
            HttpJson.StartEvents(http.Response);
            await HttpJson.WriteEventAsync(http.Response, j => WriteChunk(j, id, created, selection.Id, j2 =>
            {
                j2.WriteString("role", "assistant");
                j2.WriteString("content", "");
            }, null), ct).ConfigureAwait(false);

            UsageDetails? usage = null;
            ChatFinishReason? finish = null;
            var text = new StringBuilder();
            var first = true;
            while (has)
            {
                var update = updates.Current;
                finish = update.FinishReason ?? finish;
                foreach (var content in update.Contents)
                {
                    switch (content)
                    {
                        case TextContent t when t.Text.Length > 0:
                            if (first)
                            {
                                metrics.TimeToFirstToken.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
                                first = false;
                            }

                            text.Append(t.Text);
                            await HttpJson.WriteEventAsync(http.Response, j => WriteChunk(j, id, created, selection.Id, d => d.WriteString("content", t.Text), null), ct)
                                .ConfigureAwait(false);
                            break;
                        case FunctionCallContent call:
                            await HttpJson.WriteEventAsync(http.Response, j => WriteChunk(j, id, created, selection.Id, d => WriteToolCalls(d, [call], withIndex: true), null), ct)
                                .ConfigureAwait(false);
                            break;
                        case UsageContent u:
                            usage = u.Details;
                            break;
                    }
                }

                has = await updates.MoveNextAsync().ConfigureAwait(false);
            }

            metrics.GeneratedTokens.Add(usage?.OutputTokenCount ?? 0);
            var cited = sources is null ? null : RagAnswerer.ExtractCitations(text.ToString(), sources.Count);
            await HttpJson.WriteEventAsync(http.Response, j =>
            {
                WriteChunk(j, id, created, selection.Id, _ => { }, FinishReason(finish), end: false);
                if (sources is not null)
                {
                    Grounding.WriteCitations(j, "citations", sources, cited);
                }

                j.WriteEndObject();
            }, ct).ConfigureAwait(false);
            if (request.IncludeUsage)
            {
                await HttpJson.WriteEventAsync(http.Response, j =>
                {
                    j.WriteStartObject();
                    j.WriteString("id", id);
                    j.WriteString("object", "chat.completion.chunk");
                    j.WriteNumber("created", created);
                    j.WriteString("model", selection.Id);
                    j.WriteStartArray("choices");
                    j.WriteEndArray();
                    WriteUsage(j, usage);
                    j.WriteEndObject();
                }, ct).ConfigureAwait(false);
            }

            await HttpJson.WriteDoneAsync(http.Response, ct).ConfigureAwait(false);
        }
    }

    public static async Task EmbeddingsAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var ct = http.RequestAborted;
        Readiness.Require(services);
        using var doc = await HttpJson.ReadAsync(http.Request, ct).ConfigureAwait(false);
        var root = doc.RootElement;
        var models = services.GetRequiredService<ServedModels>();
        var model = ChatRequestParser.OptionalString(root, "model");
        models.CheckEmbeddingModel(model);
        if (!root.TryGetProperty("input", out var input))
        {
            throw ChatRequestParser.Bad("'input' is required.", "input");
        }

        List<string> inputs = input.ValueKind switch
        {
            JsonValueKind.String => [input.GetString()!],
            JsonValueKind.Array when input.GetArrayLength() > 0 => input.EnumerateArray()
                .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw ChatRequestParser.Bad("Only string inputs are supported (not token arrays).", "input")).ToList(),
            _ => throw ChatRequestParser.Bad("'input' must be a string or a non-empty array of strings.", "input"),
        };
        if (inputs.Count > 2048)
        {
            throw ChatRequestParser.Bad("At most 2048 inputs per request.", "input");
        }

        var base64 = ChatRequestParser.OptionalString(root, "encoding_format") switch
        {
            null or "float" => false,
            "base64" => true,
            var other => throw ChatRequestParser.Bad($"Unsupported encoding_format '{other}'.", "encoding_format"),
        };
        var generator = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var embeddings = await generator.GenerateAsync(inputs, cancellationToken: ct).ConfigureAwait(false);
        var dimensions = ChatRequestParser.OptionalInt(root, "dimensions");
        if (dimensions is { } d && embeddings.Count > 0 && embeddings[0].Vector.Length != d)
        {
            throw ChatRequestParser.Bad($"This model gives {embeddings[0].Vector.Length} dimensions, not {d}.", "dimensions");
        }

        var tokens = embeddings.Usage?.InputTokenCount ?? CountTokens(services, inputs);
        await HttpJson.WriteAsync(http.Response, 200, j =>
        {
            j.WriteStartObject();
            j.WriteString("object", "list");
            j.WriteStartArray("data");
            for (var i = 0; i < embeddings.Count; i++)
            {
                j.WriteStartObject();
                j.WriteString("object", "embedding");
                j.WriteNumber("index", i);
                var vector = embeddings[i].Vector.Span;
                if (base64)
                {
                    j.WriteBase64String("embedding", MemoryMarshal.AsBytes(vector));
                }
                else
                {
                    j.WriteStartArray("embedding");
                    foreach (var v in vector)
                    {
                        j.WriteNumberValue(v);
                    }

                    j.WriteEndArray();
                }

                j.WriteEndObject();
            }

            j.WriteEndArray();
            j.WriteString("model", model ?? models.EmbeddingId);
            j.WriteStartObject("usage");
            j.WriteNumber("prompt_tokens", tokens);
            j.WriteNumber("total_tokens", tokens);
            j.WriteEndObject();
            j.WriteEndObject();
        }, ct).ConfigureAwait(false);
    }

    private static long CountTokens(IServiceProvider services, List<string> inputs) =>
        services.GetService<Rag.Model.Embeddings.LlamaEmbedder>() is { } embedder
            ? inputs.Sum(s => (long)embedder.Tokenize(s).Length)
            : inputs.Sum(s => (long)s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length);

    private static void WriteModel(Utf8JsonWriter j, string id)
    {
        j.WriteStartObject();
        j.WriteString("id", id);
        j.WriteString("object", "model");
        j.WriteNumber("created", 0);
        j.WriteString("owned_by", "rag");
        j.WriteEndObject();
    }

    private static void WriteChunk(Utf8JsonWriter j, string id, long created, string model, Action<Utf8JsonWriter> delta, string? finish, bool end = true)
    {
        j.WriteStartObject();
        j.WriteString("id", id);
        j.WriteString("object", "chat.completion.chunk");
        j.WriteNumber("created", created);
        j.WriteString("model", model);
        j.WriteStartArray("choices");
        j.WriteStartObject();
        j.WriteNumber("index", 0);
        j.WriteStartObject("delta");
        delta(j);
        j.WriteEndObject();
        j.WriteNull("logprobs");
        HttpJson.WriteNullable(j, "finish_reason", finish);
        j.WriteEndObject();
        j.WriteEndArray();
        if (end)
        {
            j.WriteEndObject();
        }
    }

    private static void WriteToolCalls(Utf8JsonWriter j, IReadOnlyList<FunctionCallContent> calls, bool withIndex)
    {
        j.WriteStartArray("tool_calls");
        for (var i = 0; i < calls.Count; i++)
        {
            j.WriteStartObject();
            if (withIndex)
            {
                j.WriteNumber("index", i);
            }

            j.WriteString("id", calls[i].CallId);
            j.WriteString("type", "function");
            j.WriteStartObject("function");
            j.WriteString("name", calls[i].Name);
            j.WriteString("arguments", JsonSerializer.Serialize(calls[i].Arguments ?? new Dictionary<string, object?>(), ServerJson.Options));
            j.WriteEndObject();
            j.WriteEndObject();
        }

        j.WriteEndArray();
    }

    private static void WriteUsage(Utf8JsonWriter j, UsageDetails? usage)
    {
        j.WriteStartObject("usage");
        j.WriteNumber("prompt_tokens", usage?.InputTokenCount ?? 0);
        j.WriteNumber("completion_tokens", usage?.OutputTokenCount ?? 0);
        j.WriteNumber("total_tokens", usage?.TotalTokenCount ?? 0);
        j.WriteEndObject();
    }

    private static string? FinishReason(ChatFinishReason? reason) =>
        reason is null ? "stop"
        : reason == ChatFinishReason.Length ? "length"
        : reason == ChatFinishReason.ToolCalls ? "tool_calls"
        : reason == ChatFinishReason.ContentFilter ? "content_filter"
        : "stop";
}
