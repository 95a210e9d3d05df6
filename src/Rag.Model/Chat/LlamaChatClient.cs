using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Model.Lora;
using Rag.Model.Serving;
using Rag.Model.Inference;
using Rag.Model.Sampling;
using Rag.Model.Chat.Internal;

namespace Rag.Model.Chat;

/// <summary>Settings of a <see cref="LlamaChatClient"/>.</summary>
public sealed class LlamaChatClientOptions
{
    /// <summary>Tokens generated when <see cref="ChatOptions.MaxOutputTokens"/> is not set (default 512).</summary>
    public int DefaultMaxOutputTokens { get; set; } = 512;

    /// <summary>Temperature when <see cref="ChatOptions.Temperature"/> is not set (default 0.7).</summary>
    public float DefaultTemperature { get; set; } = 0.7f;

    /// <summary>A chat template (text or llama.cpp built-in name); null = the model's own, falling back to ChatML.</summary>
    public string? ChatTemplate { get; set; }

    /// <summary>LoRA adapters applied to every request of this client (default none).</summary>
    public LoraAdapterSet Adapters { get; set; } = LoraAdapterSet.Empty;

    /// <summary>Throws for invalid values.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(DefaultMaxOutputTokens, 1);
        if (!float.IsFinite(DefaultTemperature) || DefaultTemperature < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultTemperature), DefaultTemperature, "DefaultTemperature must be finite and >= 0.");
        }

        ArgumentNullException.ThrowIfNull(Adapters);
    }
}

/// <summary>
/// <see cref="IChatClient"/> over a <see cref="LlamaBatchScheduler"/>: concurrent calls share decode steps.
/// <see cref="ChatOptions"/> maps onto the sampler (temperature, top-p, top-k, penalties, seed, stop sequences,
/// max output tokens); a JSON <see cref="ChatOptions.ResponseFormat"/> with a schema constrains the output with a GBNF
/// grammar; and when tools are required (<see cref="ChatToolMode.RequireAny"/> or a specific function) a grammar forces
/// a well-formed call, so even a tiny model returns a parseable <see cref="FunctionCallContent"/>. With
/// <see cref="ChatToolMode.Auto"/>, output that happens to be such a call is returned as one.
/// </summary>
public sealed class LlamaChatClient : IChatClient
{
    private readonly LlamaBatchScheduler _scheduler;
    private readonly bool _ownsScheduler;
    private readonly LlamaChatClientOptions _options;
    private readonly ILogger _logger;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates a client over <paramref name="scheduler"/>.</summary>
    /// <param name="scheduler">The scheduler (and model) to use.</param>
    /// <param name="options">Client settings.</param>
    /// <param name="ownsScheduler">Dispose the scheduler with the client.</param>
    /// <param name="logger">Logger.</param>
    public LlamaChatClient(LlamaBatchScheduler scheduler, LlamaChatClientOptions? options = null, bool ownsScheduler = false, ILogger<LlamaChatClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        _scheduler = scheduler;
        _ownsScheduler = ownsScheduler;
        _options = options ?? new LlamaChatClientOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _metadata = new ChatClientMetadata("llama.cpp", new Uri(scheduler.Model.Path), Path.GetFileName(scheduler.Model.Path));
    }

    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key of a GBNF grammar (string) that constrains the reply, as the
    /// ReAct agent's step grammar does. Required tools take precedence; it takes precedence over a JSON response format.
    /// </summary>
    public const string GrammarProperty = "grammar";

    /// <summary>
    /// <see cref="ChatOptions.AdditionalProperties"/> key (bool): keep generating past end-of-generation tokens until the
    /// token limit or a stop string, as llama.cpp's <c>ignore_eos</c> (fixed-length outputs for load tests).
    /// </summary>
    public const string IgnoreEndOfGenerationProperty = "ignore_eos";

    /// <summary>Metadata: provider "llama.cpp", the model file as URI and its file name as default model id.</summary>
    public ChatClientMetadata Metadata => _metadata;

    /// <summary>The scheduler used.</summary>
    public LlamaBatchScheduler Scheduler => _scheduler;

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var plan = Prepare(messages, options);
        var text = new StringBuilder();
        FinishReason? finish = null;
        var count = 0;
        await foreach (var t in plan.Stream.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            text.Append(t.Text);
            count++;
            finish = t.Finish ?? finish;
        }

        var message = new ChatMessage(ChatRole.Assistant, (IList<AIContent>)BuildContents(plan, text.ToString(), out var isCall));
        return new ChatResponse(message)
        {
            ModelId = _metadata.DefaultModelId,
            ResponseId = plan.Id,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = isCall ? ChatFinishReason.ToolCalls : Map(finish),
            Usage = new UsageDetails { InputTokenCount = plan.PromptTokens, OutputTokenCount = count, TotalTokenCount = plan.PromptTokens + count },
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var plan = Prepare(messages, options);
        var text = new StringBuilder();
        FinishReason? finish = null;
        var count = 0;
        await foreach (var t in plan.Stream.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            count++;
            finish = t.Finish ?? finish;
            text.Append(t.Text);

            // A forced or possible tool call is returned whole at the end; plain text streams as it comes.
            if (!plan.MayCallTool && t.Text.Length > 0)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, t.Text) { ModelId = _metadata.DefaultModelId, ResponseId = plan.Id, MessageId = plan.Id };
            }
        }

        var contents = new List<AIContent>();
        var isCall = false;
        if (plan.MayCallTool)
        {
            contents.AddRange(BuildContents(plan, text.ToString(), out isCall));
        }

        contents.Add(new UsageContent(new UsageDetails { InputTokenCount = plan.PromptTokens, OutputTokenCount = count, TotalTokenCount = plan.PromptTokens + count }));
        yield return new ChatResponseUpdate(ChatRole.Assistant, contents)
        {
            ModelId = _metadata.DefaultModelId,
            ResponseId = plan.Id,
            MessageId = plan.Id,
            FinishReason = isCall ? ChatFinishReason.ToolCalls : Map(finish),
        };
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        if (serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        if (serviceType.IsInstanceOfType(_scheduler))
        {
            return _scheduler;
        }

        return serviceType.IsInstanceOfType(_scheduler.Model) ? _scheduler.Model : null;
    }

    /// <summary>Disposes the scheduler when the client owns it.</summary>
    public void Dispose()
    {
        if (_ownsScheduler)
        {
            _scheduler.Dispose();
        }
    }

    /// <summary>Maps <see cref="ChatOptions"/> onto generation settings (exposed for tests and custom hosts).</summary>
    public GenerationOptions MapOptions(ChatOptions? options, out IReadOnlyList<AIFunctionDeclaration> requiredTools, out IReadOnlyList<AIFunctionDeclaration> offeredTools)
    {
        var temperature = options?.Temperature ?? _options.DefaultTemperature;
        var sampling = new SamplingOptions
        {
            Temperature = temperature,
            TopP = options?.TopP ?? 0.95f,
            TopK = options?.TopK ?? 40,
            FrequencyPenalty = options?.FrequencyPenalty ?? 0f,
            PresencePenalty = options?.PresencePenalty ?? 0f,
            Seed = options?.Seed is { } seed ? unchecked((uint)seed) : null,
        };
        if (temperature <= 0)
        {
            sampling.TopK = 0;
            sampling.TopP = 1;
            sampling.MinP = 0;
        }

        var tools = options?.Tools?.OfType<AIFunctionDeclaration>().ToList() ?? [];
        offeredTools = options?.ToolMode is NoneChatToolMode ? [] : tools;
        requiredTools = [];
        if (options?.ToolMode is RequiredChatToolMode required && tools.Count > 0)
        {
            requiredTools = required.RequiredFunctionName is { } name
                ? tools.Where(t => t.Name == name).ToList() is { Count: > 0 } one ? one : throw new ArgumentException($"The required function '{name}' is not among the tools.", nameof(options))
                : tools;
        }

        if (requiredTools.Count > 0)
        {
            sampling.Grammar = ToolCallGrammar.Build(requiredTools);
        }
        else if (options?.AdditionalProperties?.TryGetValue(GrammarProperty, out string? gbnf) == true && !string.IsNullOrWhiteSpace(gbnf))
        {
            sampling.Grammar = gbnf;
        }
        else if (options?.ResponseFormat is ChatResponseFormatJson json)
        {
            if (json.Schema is { } schema)
            {
                sampling.JsonSchema = schema.GetRawText();
            }
            else
            {
                sampling.JsonSchema = "{}";
            }
        }

        return new GenerationOptions
        {
            MaxTokens = options?.MaxOutputTokens ?? _options.DefaultMaxOutputTokens,
            StopStrings = options?.StopSequences?.ToArray() ?? [],
            Sampling = sampling,
            ParseSpecialTokens = true,
            IgnoreEndOfGeneration = options?.AdditionalProperties?.TryGetValue(IgnoreEndOfGenerationProperty, out bool ignore) == true && ignore,
        };
    }

    private Plan Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var generation = MapOptions(options, out var required, out var offered);
        var list = new List<LlamaChatMessage>();
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            list.Add(new LlamaChatMessage("system", instructions));
        }

        if (offered.Count > 0)
        {
            list.Add(new LlamaChatMessage("system", ToolPrompt(offered)));
        }

        foreach (var m in messages)
        {
            list.Add(new LlamaChatMessage(m.Role.Value, Render(m)));
        }

        if (list.Count == 0)
        {
            throw new ArgumentException("At least one message is required.", nameof(messages));
        }

        var prompt = _scheduler.Model.ApplyChatTemplate(list, addAssistantPrefix: true, template: _options.ChatTemplate);
        var tokens = _scheduler.Model.Tokenize(prompt, addSpecial: true, parseSpecial: true);
        var stream = _scheduler.GenerateAsync(tokens, generation, _options.Adapters);
        _logger.LogDebug("Chat request: {Tokens} prompt tokens, max {Max} output tokens, {Tools} required tools", tokens.Length, generation.MaxTokens, required.Count);
        return new Plan("chatcmpl-" + Guid.NewGuid().ToString("N"), stream, tokens.Length, required, offered);
    }

    private static List<AIContent> BuildContents(Plan plan, string text, out bool isCall)
    {
        isCall = false;
        if (plan.MayCallTool && TryParseCall(text, plan.Offered.Count > 0 ? plan.Offered : plan.Required, out var call))
        {
            isCall = true;
            return [call];
        }

        return [new TextContent(text)];
    }

    /// <summary>Parses <c>{"name": ..., "arguments": {...}}</c> naming one of <paramref name="tools"/>.</summary>
    internal static bool TryParseCall(string text, IReadOnlyList<AIFunctionDeclaration> tools, out FunctionCallContent call)
    {
        call = null!;
        var trimmed = text.Trim();
        if (!trimmed.StartsWith('{'))
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(trimmed);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            var n = name.GetString()!;
            if (!tools.Any(t => t.Name == n))
            {
                return false;
            }

            var args = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (root.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in a.EnumerateObject())
                {
                    args[p.Name] = p.Value.Clone();
                }
            }

            call = new FunctionCallContent("call_" + Guid.NewGuid().ToString("N")[..24], n, args);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string ToolPrompt(IReadOnlyList<AIFunctionDeclaration> tools)
    {
        var sb = new StringBuilder("You can call these functions. To call one, answer only with JSON {\"name\": <function name>, \"arguments\": {<arguments>}}.\n");
        foreach (var t in tools)
        {
            sb.Append("- ").Append(t.Name);
            if (!string.IsNullOrWhiteSpace(t.Description))
            {
                sb.Append(": ").Append(t.Description);
            }

            sb.Append(" Parameters: ").Append(t.JsonSchema.ValueKind == JsonValueKind.Undefined ? "{}" : t.JsonSchema.GetRawText()).Append('\n');
        }

        return sb.ToString();
    }

    private static string Render(ChatMessage m)
    {
        var sb = new StringBuilder();
        foreach (var c in m.Contents)
        {
            switch (c)
            {
                case TextContent t:
                    sb.Append(t.Text);
                    break;
                case FunctionCallContent f:
                    sb.Append(JsonSerializer.Serialize(new { name = f.Name, arguments = f.Arguments }));
                    break;
                case FunctionResultContent r:
                    sb.Append(CultureInfo.InvariantCulture, $"Result of {r.CallId}: ").Append(r.Result is string s ? s : JsonSerializer.Serialize(r.Result));
                    break;
            }
        }

        return sb.ToString();
    }

    private static ChatFinishReason? Map(FinishReason? finish) => finish switch
    {
        FinishReason.MaxTokens or FinishReason.ContextFull => ChatFinishReason.Length,
        null => null,
        _ => ChatFinishReason.Stop,
    };

    private sealed record Plan(string Id, IAsyncEnumerable<GeneratedToken> Stream, int PromptTokens,
        IReadOnlyList<AIFunctionDeclaration> Required, IReadOnlyList<AIFunctionDeclaration> Offered)
    {
        public bool MayCallTool => Required.Count > 0 || Offered.Count > 0;
    }
}
