namespace Rag.Model.Serving;

/// <summary>Counters of a <see cref="LlamaBatchScheduler"/> since it started (a snapshot).</summary>
public sealed record LlamaSchedulerStatistics
{
    /// <summary>Decode steps run (one llama_decode each).</summary>
    public long Steps { get; init; }

    /// <summary>Tokens sampled for requests.</summary>
    public long GeneratedTokens { get; init; }

    /// <summary>Prompt tokens run through the model.</summary>
    public long PrefilledTokens { get; init; }

    /// <summary>Prompt tokens taken from the prefix cache instead of being computed.</summary>
    public long PrefixCacheHitTokens { get; init; }

    /// <summary>Steps that carried only generated tokens (no prefill).</summary>
    public long DecodeOnlySteps { get; init; }

    /// <summary>Tokens sampled in decode-only steps.</summary>
    public long DecodeOnlyTokens { get; init; }

    /// <summary>Wall time of decode-only steps, including sampling and delivery.</summary>
    public TimeSpan DecodeOnlyTime { get; init; }

    /// <summary>Process CPU time (all threads) during decode-only steps (Linux; zero elsewhere).</summary>
    public TimeSpan DecodeOnlyCpuTime { get; init; }

    /// <summary>Requests finished normally.</summary>
    public long Completed { get; init; }

    /// <summary>Requests cancelled or abandoned.</summary>
    public long Cancelled { get; init; }

    /// <summary>Requests that failed (context full, decode error).</summary>
    public long Failed { get; init; }

    /// <summary>Submissions refused because the queue was full.</summary>
    public long Rejected { get; init; }

    /// <summary>Sequences decoding now.</summary>
    public int ActiveSequences { get; init; }

    /// <summary>Prompts held by the prefix cache.</summary>
    public int PrefixCacheEntries { get; init; }

    /// <summary>KV tokens held by the prefix cache.</summary>
    public int PrefixCacheTokens { get; init; }

    /// <summary>
    /// Decode steps that ran with fewer threads than configured because other processes held cores
    /// (<see cref="LlamaSchedulerOptions.AdaptiveThreads"/>).
    /// </summary>
    public long ReducedThreadSteps { get; init; }

    /// <summary>Threads the latest decode step used.</summary>
    public int ThreadsInUse { get; init; }

    /// <summary>Decode-only tokens per process CPU-second.</summary>
    public double DecodeOnlyTokensPerCpuSecond => DecodeOnlyCpuTime > TimeSpan.Zero ? DecodeOnlyTokens / DecodeOnlyCpuTime.TotalSeconds : 0;

    /// <summary>Aggregate tokens/s of decode-only steps.</summary>
    public double DecodeOnlyTokensPerSecond => DecodeOnlyTime > TimeSpan.Zero ? DecodeOnlyTokens / DecodeOnlyTime.TotalSeconds : 0;
}
