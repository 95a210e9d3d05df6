using System.Text;
using System.Threading.Channels;
using Rag.Model.Inference.Internal;
using Rag.Model.Lora;
using Rag.Model.Inference;
using Rag.Model.Sampling;
using Rag.Model.Sampling.Internal;

namespace Rag.Model.Serving.Internal;

/// <summary>One generation request: its prompt, sampler, output channel and decode state (owned by the scheduler thread).</summary>
internal sealed class SchedulerRequest
{
    private int _cancelled;

    public SchedulerRequest(int[] prompt, GenerationOptions options, LlamaSampler sampler, LoraAdapterSet adapters, CancellationToken cancellationToken)
    {
        Prompt = prompt;
        Options = options;
        Sampler = sampler;
        Adapters = adapters;
        CancellationToken = cancellationToken;
        Output = Channel.CreateUnbounded<GeneratedToken>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Emitter = new TokenEmitter(options);
    }

    public int[] Prompt { get; }

    public GenerationOptions Options { get; }

    public LlamaSampler Sampler { get; }

    public LoraAdapterSet Adapters { get; }

    public CancellationToken CancellationToken { get; }

    public Channel<GeneratedToken> Output { get; }

    /// <summary>Turns sampled tokens into text and finish reasons (shared with <see cref="LlamaContext"/>).</summary>
    public TokenEmitter Emitter { get; }

    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>Adapters referenced for the request's lifetime.</summary>
    public List<LlamaLoraAdapter>? HeldAdapters { get; set; }

    /// <summary>Sequence id while admitted, else -1.</summary>
    public int Sequence { get; set; } = -1;

    /// <summary>Prompt tokens present in the KV cache.</summary>
    public int Prefilled { get; set; }

    /// <summary>Next position to write.</summary>
    public int Position { get; set; }

    /// <summary>A sampled token not yet decoded, or -1.</summary>
    public int PendingToken { get; set; } = -1;

    /// <summary>Tokens sampled so far.</summary>
    public int Generated => Emitter.Generated;

    /// <summary>Row of this request's output in the current batch, or -1.</summary>
    public int OutputIndex { get; set; } = -1;

    /// <summary>Position of this request's first token in the current batch (for rollback), or -1.</summary>
    public int BatchStart { get; set; } = -1;

    public bool PrefillDone => Prefilled >= Prompt.Length;

    public bool IsCancelled => Volatile.Read(ref _cancelled) != 0;

    /// <summary>The consumer cancelled or stopped reading.</summary>
    public void Cancel() => Interlocked.Exchange(ref _cancelled, 1);
}
