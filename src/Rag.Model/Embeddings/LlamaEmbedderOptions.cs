using Rag.Model.Inference;
using Rag.Model.Serving;

namespace Rag.Model.Embeddings;

/// <summary>Settings of a <see cref="LlamaEmbedder"/>.</summary>
public sealed class LlamaEmbedderOptions
{
    /// <summary>Pooling (default: the model's own).</summary>
    public LlamaPoolingType Pooling { get; set; } = LlamaPoolingType.Unspecified;

    /// <summary>L2-normalize pooled vectors (default true; rank scores are never normalized).</summary>
    public bool Normalize { get; set; } = true;

    /// <summary>Most tokens in one batched decode, across all inputs (default 2048). One input may use all of it.</summary>
    public int BatchTokens { get; set; } = 2048;

    /// <summary>Most inputs in one batched decode (default 64).</summary>
    public int MaxInputsPerBatch { get; set; } = 64;

    /// <summary>Threads (default: half the logical processors, at least 1).</summary>
    public int Threads { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Requests that may wait (default 1024); beyond it submissions fail with <see cref="Serving.LlamaSchedulerOverloadedException"/>.</summary>
    public int MaxQueuedRequests { get; set; } = 1024;

    /// <summary>Cut inputs longer than the model accepts instead of failing with <see cref="LlamaContextOverflowException"/> (default false).</summary>
    public bool Truncate { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for invalid values.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Pooling))
        {
            throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "Unknown pooling type.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(BatchTokens, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInputsPerBatch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxInputsPerBatch, 256);
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedRequests, 1);
    }
}
