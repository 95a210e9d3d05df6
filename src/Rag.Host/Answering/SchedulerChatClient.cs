using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Rag.Model;
using Rag.Model.Serving;

namespace Rag.Host.Answering;

/// <summary>A minimal <see cref="IChatClient"/> over the batch scheduler: chat template, sampler settings, streaming.</summary>
internal sealed class SchedulerChatClient(LlamaBatchScheduler scheduler) : IChatClient
{
    private readonly ChatClientMetadata _metadata = new("llama.cpp", defaultModelId: Path.GetFileName(scheduler.Model.Path));

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(u);
        }

        return updates.ToChatResponse();
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prompt = scheduler.Model.ApplyChatTemplate(messages.Select(m => new LlamaChatMessage(m.Role.Value, m.Text)).ToList());
        var temperature = options?.Temperature ?? 0f;
        var generation = new GenerationOptions
        {
            MaxTokens = options?.MaxOutputTokens ?? 256,
            StopStrings = options?.StopSequences?.ToArray() ?? [],
            Sampling = temperature <= 0 ? SamplingOptions.Greedy : new SamplingOptions { Temperature = temperature, Seed = (uint?)options?.Seed },
        };
        await foreach (var token in scheduler.GenerateAsync(prompt, generation, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, token.Text) { ModelId = _metadata.DefaultModelId };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? _metadata : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
