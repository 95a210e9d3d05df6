using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rag.Model.Chat;
using Rag.Model.Lora;
using Rag.Model.Serving;

namespace Rag.Server.Hosting;

/// <summary>A resolved model name: the chat client to use, whether retrieval grounding is on, and the id to report.</summary>
internal sealed record ModelSelection(IChatClient Client, bool Grounded, string Id);

/// <summary>
/// The model ids the server answers to: the base chat model, <c>base+adapter[:scale]</c> for configured LoRA adapters,
/// the grounding alias (<see cref="RagServerOptions.GroundedModelAlias"/>, also combinable with adapters), and the
/// embedding model. Adapters load once, on first use; one <see cref="LlamaChatClient"/> per adapter set shares the scheduler.
/// </summary>
internal sealed class ServedModels(IServiceProvider services, string chatPath, string embeddingId)
{
    private readonly ConcurrentDictionary<string, Lazy<LlamaLoraAdapter>> _adapters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IChatClient> _clients = new(StringComparer.Ordinal);

    private RagServerOptions Options => services.GetRequiredService<IOptions<RagServerOptions>>().Value;

    /// <summary>The base chat model's id.</summary>
    public string BaseId => Options.ModelName is { Length: > 0 } name ? name : Path.GetFileNameWithoutExtension(chatPath);

    /// <summary>The embedding model's id.</summary>
    public string EmbeddingId => embeddingId;

    /// <summary>Every id to list in <c>/v1/models</c>.</summary>
    public IEnumerable<string> ListIds()
    {
        yield return BaseId;
        var alias = Options.GroundedModelAlias;
        yield return alias;
        foreach (var name in Options.Adapters.Keys.Order(StringComparer.Ordinal))
        {
            yield return BaseId + "+" + name;
            yield return alias + "+" + name;
        }

        if (EmbeddingId != BaseId)
        {
            yield return EmbeddingId;
        }
    }

    /// <summary>Resolves a chat model name; throws <see cref="ApiException"/> (404) for an unknown base or adapter.</summary>
    public ModelSelection ResolveChat(string? model)
    {
        var options = Options;
        var parts = (model ?? BaseId).Split('+', StringSplitOptions.TrimEntries);
        var grounded = parts[0] == options.GroundedModelAlias;
        if (!grounded && parts[0] != BaseId)
        {
            throw new ApiException(404, $"The model '{model}' does not exist; GET /v1/models lists the served ids.", "model", "model_not_found");
        }

        if (parts.Length == 1)
        {
            return new ModelSelection(services.GetRequiredService<IChatClient>(), grounded, model ?? BaseId);
        }

        var set = new List<LoraAdapterScale>();
        foreach (var part in parts.Skip(1))
        {
            var colon = part.LastIndexOf(':');
            var name = colon > 0 ? part[..colon] : part;
            var scale = 1f;
            if (colon > 0 && !float.TryParse(part[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out scale))
            {
                throw new ApiException(400, $"The adapter scale in '{part}' is not a number.", "model", "invalid_model");
            }

            if (!options.Adapters.TryGetValue(name, out var path))
            {
                throw new ApiException(404, $"The LoRA adapter '{name}' is not configured (Rag:Server:Adapters).", "model", "model_not_found");
            }

            set.Add(new LoraAdapterScale(_adapters.GetOrAdd(name, _ => new Lazy<LlamaLoraAdapter>(() =>
                LlamaLoraAdapter.Load(services.GetRequiredService<LlamaBatchScheduler>().Model, path,
                    services.GetService<ILoggerFactory>()?.CreateLogger<LlamaLoraAdapter>()))).Value, scale));
        }

        var adapters = new LoraAdapterSet(set);
        var client = _clients.GetOrAdd(adapters.Key, _ =>
        {
            var serving = services.GetRequiredService<IOptions<RagModelServingOptions>>().Value.Chat;
            return new LlamaChatClient(services.GetRequiredService<LlamaBatchScheduler>(), new LlamaChatClientOptions
            {
                Adapters = adapters,
                ChatTemplate = serving.ChatTemplate,
                DefaultMaxOutputTokens = serving.DefaultMaxOutputTokens,
                DefaultTemperature = serving.DefaultTemperature,
            });
        });
        return new ModelSelection(client, grounded, model!);
    }

    /// <summary>Checks an embedding model name.</summary>
    public void CheckEmbeddingModel(string? model)
    {
        if (model is not null && model != EmbeddingId && model != BaseId)
        {
            throw new ApiException(404, $"The embedding model '{model}' does not exist; this server embeds with '{EmbeddingId}'.", "model", "model_not_found");
        }
    }
}

/// <summary>An error answered in OpenAI's shape: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
internal sealed class ApiException(int status, string message, string? param = null, string? code = null) : Exception(message)
{
    public int Status { get; } = status;

    public string? Param { get; } = param;

    public string? Code { get; } = code;
}
