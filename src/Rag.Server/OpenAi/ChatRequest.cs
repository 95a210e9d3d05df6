using System.Text.Json;
using Microsoft.Extensions.AI;
using Rag.Server.Hosting;

namespace Rag.Server.OpenAi;

/// <summary>A parsed <c>POST /v1/chat/completions</c> body.</summary>
internal sealed record ChatRequest(string? Model, List<ChatMessage> Messages, ChatOptions Options, bool Stream, bool IncludeUsage, GroundingRequest? Grounding);

/// <summary>The <c>rag</c> extension field: retrieval grounding with citations.</summary>
internal sealed record GroundingRequest(int? TopK);

/// <summary>Parses OpenAI chat-completion requests into Microsoft.Extensions.AI messages and options.</summary>
internal static class ChatRequestParser
{
    public static ChatRequest Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Bad("The request body must be a JSON object.", null);
        }

        var model = OptionalString(root, "model");
        if (!root.TryGetProperty("messages", out var messagesElement) || messagesElement.ValueKind != JsonValueKind.Array || messagesElement.GetArrayLength() == 0)
        {
            throw Bad("'messages' must be a non-empty array.", "messages");
        }

        var messages = new List<ChatMessage>();
        foreach (var m in messagesElement.EnumerateArray())
        {
            messages.Add(ParseMessage(m));
        }

        if (root.TryGetProperty("n", out var n) && n.ValueKind == JsonValueKind.Number && n.GetInt32() != 1)
        {
            throw Bad("Only n = 1 is supported.", "n");
        }

        var options = new ChatOptions
        {
            Temperature = OptionalFloat(root, "temperature"),
            TopP = OptionalFloat(root, "top_p"),
            FrequencyPenalty = OptionalFloat(root, "frequency_penalty"),
            PresencePenalty = OptionalFloat(root, "presence_penalty"),
            MaxOutputTokens = OptionalInt(root, "max_completion_tokens") ?? OptionalInt(root, "max_tokens"),
            Seed = root.TryGetProperty("seed", out var seed) && seed.ValueKind == JsonValueKind.Number ? seed.GetInt64() : null,
        };
        if (options.Temperature is < 0 or > 2)
        {
            throw Bad("'temperature' must be between 0 and 2.", "temperature");
        }

        if (options.TopP is <= 0 or > 1)
        {
            throw Bad("'top_p' must be in (0, 1].", "top_p");
        }

        if (options.MaxOutputTokens is < 1)
        {
            throw Bad("'max_tokens' must be at least 1.", "max_tokens");
        }

        if (root.TryGetProperty("stop", out var stop))
        {
            options.StopSequences = stop.ValueKind switch
            {
                JsonValueKind.String => [stop.GetString()!],
                JsonValueKind.Array => stop.EnumerateArray().Select(s => s.ValueKind == JsonValueKind.String ? s.GetString()! : throw Bad("'stop' entries must be strings.", "stop")).ToList(),
                JsonValueKind.Null => null,
                _ => throw Bad("'stop' must be a string or an array of strings.", "stop"),
            };
        }

        if (root.TryGetProperty("response_format", out var format) && format.ValueKind == JsonValueKind.Object)
        {
            options.ResponseFormat = OptionalString(format, "type") switch
            {
                "text" or null => ChatResponseFormat.Text,
                "json_object" => ChatResponseFormat.Json,
                "json_schema" => format.TryGetProperty("json_schema", out var js) && js.ValueKind == JsonValueKind.Object && js.TryGetProperty("schema", out var schema)
                    ? ChatResponseFormat.ForJsonSchema(schema.Clone(), OptionalString(js, "name"), OptionalString(js, "description"))
                    : throw Bad("'response_format.json_schema.schema' is required.", "response_format"),
                var other => throw Bad($"Unsupported response_format type '{other}'.", "response_format"),
            };
        }

        if (root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            options.Tools = [];
            foreach (var t in tools.EnumerateArray())
            {
                if (OptionalString(t, "type") != "function" || !t.TryGetProperty("function", out var f) || OptionalString(f, "name") is not { Length: > 0 } name)
                {
                    throw Bad("Every tool must be {\"type\": \"function\", \"function\": {\"name\": ...}}.", "tools");
                }

                var parameters = f.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object
                    ? p.Clone()
                    : JsonDocument.Parse("{\"type\":\"object\",\"properties\":{}}").RootElement.Clone();
                options.Tools.Add(AIFunctionFactory.CreateDeclaration(name, OptionalString(f, "description"), parameters));
            }
        }

        if (root.TryGetProperty("tool_choice", out var choice))
        {
            options.ToolMode = choice.ValueKind switch
            {
                JsonValueKind.String => choice.GetString() switch
                {
                    "none" => ChatToolMode.None,
                    "auto" => ChatToolMode.Auto,
                    "required" => ChatToolMode.RequireAny,
                    var other => throw Bad($"Unsupported tool_choice '{other}'.", "tool_choice"),
                },
                JsonValueKind.Object when choice.TryGetProperty("function", out var cf) && OptionalString(cf, "name") is { } fname => ChatToolMode.RequireSpecific(fname),
                JsonValueKind.Null => null,
                _ => throw Bad("Unsupported tool_choice.", "tool_choice"),
            };
        }

        if (root.TryGetProperty("ignore_eos", out var ignoreEos) && ignoreEos.ValueKind == JsonValueKind.True)
        {
            (options.AdditionalProperties ??= [])[Rag.Model.Chat.LlamaChatClient.IgnoreEndOfGenerationProperty] = true;
        }

        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var includeUsage = stream && root.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;

        GroundingRequest? grounding = null;
        if (root.TryGetProperty("rag", out var rag))
        {
            grounding = rag.ValueKind switch
            {
                JsonValueKind.True => new GroundingRequest(null),
                JsonValueKind.Object => new GroundingRequest(OptionalInt(rag, "top_k")),
                _ => null,
            };
        }

        return new ChatRequest(model, messages, options, stream, includeUsage, grounding);
    }

    private static ChatMessage ParseMessage(JsonElement m)
    {
        if (m.ValueKind != JsonValueKind.Object)
        {
            throw Bad("Every message must be an object.", "messages");
        }

        var role = OptionalString(m, "role") ?? throw Bad("Every message needs a 'role'.", "messages");
        var text = ContentText(m);
        switch (role)
        {
            case "system" or "developer":
                return new ChatMessage(ChatRole.System, text);
            case "user":
                return new ChatMessage(ChatRole.User, text);
            case "assistant":
                var contents = new List<AIContent>();
                if (!string.IsNullOrEmpty(text))
                {
                    contents.Add(new TextContent(text));
                }

                if (m.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                {
                    foreach (var c in calls.EnumerateArray())
                    {
                        var f = c.GetProperty("function");
                        var args = OptionalString(f, "arguments") is { Length: > 0 } a ? ParseArguments(a) : new Dictionary<string, object?>();
                        contents.Add(new FunctionCallContent(OptionalString(c, "id") ?? "call", OptionalString(f, "name") ?? "", args));
                    }
                }

                return new ChatMessage(ChatRole.Assistant, contents);
            case "tool":
                return new ChatMessage(ChatRole.Tool, [new FunctionResultContent(OptionalString(m, "tool_call_id") ?? "", text)]);
            default:
                throw Bad($"Unknown message role '{role}'.", "messages");
        }
    }

    private static Dictionary<string, object?> ParseArguments(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                ? doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal)
                : throw Bad("Tool-call arguments must be a JSON object.", "messages");
        }
        catch (JsonException)
        {
            throw Bad("Tool-call arguments must be JSON.", "messages");
        }
    }

    private static string ContentText(JsonElement m)
    {
        if (!m.TryGetProperty("content", out var content))
        {
            return "";
        }

        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString()!;
            case JsonValueKind.Null:
                return "";
            case JsonValueKind.Array:
                var parts = new List<string>();
                foreach (var part in content.EnumerateArray())
                {
                    if (OptionalString(part, "type") != "text")
                    {
                        throw Bad("Only text content parts are supported.", "messages");
                    }

                    parts.Add(OptionalString(part, "text") ?? "");
                }

                return string.Concat(parts);
            default:
                throw Bad("Message content must be a string or an array of parts.", "messages");
        }
    }

    internal static string? OptionalString(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    internal static int? OptionalInt(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.TryGetInt32(out var i) ? i : throw Bad($"'{name}' is out of range.", name) : null;

    private static float? OptionalFloat(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetSingle() : null;

    internal static ApiException Bad(string message, string? param) => new(400, message, param, "invalid_request_error");
}
