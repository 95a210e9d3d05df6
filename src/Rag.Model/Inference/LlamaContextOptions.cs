namespace Rag.Model.Inference;

/// <summary>Settings for <see cref="LlamaModel.CreateContext"/>.</summary>
public sealed class LlamaContextOptions
{
    /// <summary>KV-cache size in tokens (default 2048; 0 = the model's training context).</summary>
    public int ContextSize { get; set; } = 2048;

    /// <summary>Largest batch submitted to one llama_decode (default 512). Prompts are split into chunks of this size.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>Physical micro-batch (default 512, never above <see cref="BatchSize"/>).</summary>
    public int MicroBatchSize { get; set; } = 512;

    /// <summary>
    /// Threads for single-token decoding. Default: half the logical processors (at least 1), because llama.cpp's
    /// threads spin-wait and oversubscription collapses throughput.
    /// </summary>
    public int Threads { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Threads for prompt/batch processing; 0 = same as <see cref="Threads"/>.</summary>
    public int BatchThreads { get; set; }

    /// <summary>Number of independent sequences the context can hold (default 1). Batching schedulers raise it.</summary>
    public int SequenceCount { get; set; } = 1;

    /// <summary>Output embeddings as well as logits.</summary>
    public bool Embeddings { get; set; }

    /// <summary>Flash attention: null = llama.cpp's automatic choice.</summary>
    public bool? FlashAttention { get; set; }

    /// <summary>Record llama.cpp performance counters (small overhead).</summary>
    public bool CollectPerformance { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for invalid values.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ContextSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MicroBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(BatchThreads);
        ArgumentOutOfRangeException.ThrowIfLessThan(SequenceCount, 1);
    }
}
