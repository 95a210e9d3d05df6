using Rag.Model.Native.Internal;

namespace Rag.Model.Serving;

/// <summary>Settings of a <see cref="LlamaBatchScheduler"/>. Call <see cref="Validate"/> (the scheduler does).</summary>
public sealed class LlamaSchedulerOptions
{
    /// <summary>KV-cache size in tokens shared by all sequences (default 4096).</summary>
    public int ContextSize { get; set; } = 4096;

    /// <summary>Most tokens in one decode step (default 2048): one token per decoding sequence plus prefill chunks.</summary>
    public int BatchSize { get; set; } = 2048;

    /// <summary>Physical micro-batch of llama.cpp (default 512).</summary>
    public int MicroBatchSize { get; set; } = 512;

    /// <summary>Most requests decoding at once (default 16). Further requests wait in the queue.</summary>
    public int MaxSequences { get; set; } = 16;

    /// <summary>
    /// Prompt tokens prefilled per decode step across all new requests (default 256). A long prompt is split into
    /// chunks of this size so that sequences already decoding keep producing a token every step.
    /// </summary>
    public int PrefillChunkTokens { get; set; } = 256;

    /// <summary>Requests that may wait for a sequence (default 64). Beyond it, submissions fail with <see cref="LlamaSchedulerOverloadedException"/>.</summary>
    public int MaxQueuedRequests { get; set; } = 64;

    /// <summary>Most decode threads.</summary>
    /// <value>The logical processors, at most 8 (2 on a 2-core machine).</value>
    public int Threads { get; set; } = ThreadDefaults.Threads;

    /// <summary>Most threads for steps of several tokens; 0 = <see cref="Threads"/>.</summary>
    /// <value>0.</value>
    public int BatchThreads { get; set; }

    /// <summary>
    /// Use fewer threads than configured while other processes keep cores busy (see
    /// <see cref="Inference.LlamaContextOptions.AdaptiveThreads"/>).
    /// </summary>
    /// <value>true.</value>
    public bool AdaptiveThreads { get; set; } = true;

    /// <summary>
    /// One KV-cell pool shared by all sequences (default true). A sequence can then grow to <see cref="ContextSize"/>
    /// and prefix-cache hits cost no copy. False gives each sequence its own ContextSize / sequences stream (llama.cpp's
    /// default layout; attention then never scans other sequences' cells), and prefix hits copy the stream.
    /// Only the per-sequence layout is batch-invariant bit for bit: in the shared pool the attention view's length and
    /// cell layout depend on the other sequences, which changes floating-point summation order, so a greedy near-tie can
    /// resolve differently than in a solo run. Set false when concurrent output must equal sequential output exactly.
    /// </summary>
    public bool UnifiedKvCache { get; set; } = true;

    /// <summary>Flash attention: null = llama.cpp's automatic choice.</summary>
    public bool? FlashAttention { get; set; }

    /// <summary>Keep the KV cells of recent prompts and reuse them for later prompts with the same prefix (default true).</summary>
    public bool EnablePrefixCache { get; set; } = true;

    /// <summary>Prompts kept by the prefix cache at most (default 4; each uses one extra sequence id).</summary>
    public int PrefixCacheEntries { get; set; } = 4;

    /// <summary>Most KV tokens the prefix cache may keep across all entries (default 0 = a quarter of <see cref="ContextSize"/>).</summary>
    public int PrefixCacheTokenBudget { get; set; }

    /// <summary>
    /// Shortest shared prefix worth caching or reusing (default 8 tokens). Short chat prompts gain too: with 32 as the
    /// floor, a repeated 17-token chat prompt on a 135M model was prefilled every time, which tripled time to first
    /// token under load against llama-server (whose slots reuse any cached prefix); see docs/BENCHMARKS.md, issue 13.
    /// </summary>
    public int PrefixCacheMinTokens { get; set; } = 8;

    /// <summary>The prefix-cache budget in effect.</summary>
    public int EffectivePrefixCacheTokenBudget => PrefixCacheTokenBudget > 0 ? PrefixCacheTokenBudget : ContextSize / 4;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for invalid values.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ContextSize, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MicroBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSequences, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxSequences + (EnablePrefixCache ? PrefixCacheEntries : 0), 256, nameof(MaxSequences));
        if (BatchSize < MaxSequences)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"BatchSize must hold one token per sequence (MaxSequences = {MaxSequences}).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(PrefillChunkTokens, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxQueuedRequests);
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(BatchThreads);
        ArgumentOutOfRangeException.ThrowIfNegative(PrefixCacheEntries);
        ArgumentOutOfRangeException.ThrowIfNegative(PrefixCacheTokenBudget);
        ArgumentOutOfRangeException.ThrowIfLessThan(PrefixCacheMinTokens, 1);
        if (EnablePrefixCache && PrefixCacheEntries == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PrefixCacheEntries), "The prefix cache needs at least one entry; set EnablePrefixCache = false to turn it off.");
        }
    }
}
