using System.Runtime.CompilerServices;
using LLama;
using LLama.Abstractions;
using LLama.Transformers;
using Microsoft.Extensions.AI;

namespace Rag.LLamaSharp;

/// <summary>
/// LLamaSharp's own <see cref="IChatClient"/> (<c>AsChatClient</c> over a <see cref="StatelessExecutor"/>), given the
/// model's chat template (ChatML when the model has none, as in Rag.Model) as its history transform, the way
/// <see cref="PromptTemplateTransformer"/> does: without one LLamaSharp writes a plain "User: … Assistant:" prompt
/// that chat models were never trained on. A stateless executor runs one inference at a
/// time, so calls on one client are serialised here (LLamaSharp serialises inference process-wide in any case).
/// </summary>
public sealed class LLamaSharpChatClient : DelegatingChatClient
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates a chat client over <paramref name="weights"/> with <paramref name="contextParams"/> for each inference.</summary>
    public LLamaSharpChatClient(LLamaWeights weights, IContextParams contextParams, string modelPath)
        : base(new StatelessExecutor(weights, contextParams).AsChatClient(new Internal.ModelChatTemplateTransform(weights)))
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        _metadata = new ChatClientMetadata("llamasharp", defaultModelId: Path.GetFileName(modelPath));
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? _metadata : base.GetService(serviceType, serviceKey);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _turn.Dispose();
        }

        base.Dispose(disposing);
    }
}
