using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Rag.Agents.Tests.React;

/// <summary>Replays recorded model outputs, one per call, and records what it was asked (a transcript, not a model).</summary>
internal sealed class RecordedChatClient(params string[] outputs) : IChatClient
{
    private int _next;

    public List<(List<ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls.Add((messages.ToList(), options));
        var text = _next < outputs.Length ? outputs[_next++] : throw new InvalidOperationException("the transcript has no more outputs");
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        yield return new ChatResponseUpdate(ChatRole.Assistant, response.Text);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
