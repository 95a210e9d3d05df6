using Rag.Model.Native.Internal;

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

    /// <summary>Most threads for single-token decoding.</summary>
    /// <value>The logical processors, at most 8 (2 on a 2-core machine).</value>
    public int Threads { get; set; } = ThreadDefaults.Threads;

    /// <summary>Most threads for prompt/batch processing; 0 = same as <see cref="Threads"/>.</summary>
    /// <value>0.</value>
    public int BatchThreads { get; set; }

    /// <summary>
    /// Use fewer threads than configured while other processes keep cores busy. llama.cpp's CPU threads spin at a
    /// barrier after every operation, so a thread that loses its core stalls all the others: with one busy process on
    /// two cores, two fixed threads ran at about half the speed of one. Adaptive threads measure the free cores every
    /// 100 ms and never use more threads than there are.
    /// </summary>
    /// <value>true.</value>
    public bool AdaptiveThreads { get; set; } = true;

    /// <summary>Number of independent sequences the context can hold (default 1). Batching schedulers raise it.</summary>
    public int SequenceCount { get; set; } = 1;

    /// <summary>Output embeddings as well as logits.</summary>
    public bool Embeddings { get; set; }

    /// <summary>Flash attention: null = llama.cpp's automatic choice.</summary>
    public bool? FlashAttention { get; set; }

    /// <summary>Element type of the KV cache (F16 by llama.cpp's default; F32 for exact comparisons). Null = llama.cpp's default.</summary>
    public Rag.Model.Gguf.GgmlType? KvCacheType { get; set; }

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
