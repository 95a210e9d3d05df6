using Rag.Model.Native;
using Rag.Model.Native.Interop;
using Rag.Model.Inference;

namespace Rag.Model.Native.Internal;

/// <summary>Native context parameters: one place maps them onto <c>llama_context_params</c> for every context type.</summary>
internal readonly record struct NativeContextSpec(
    int ContextSize,
    int BatchSize,
    int MicroBatchSize,
    int Sequences,
    int Threads,
    int BatchThreads,
    bool UnifiedKvCache,
    bool Embeddings,
    int PoolingType,
    bool? FlashAttention,
    bool CollectPerformance = false,
    bool AdaptiveThreads = true,
    Rag.Model.Gguf.GgmlType? KvCacheType = null);

/// <summary>Creates native contexts (single-sequence <see cref="LlamaContext"/>, the batch scheduler, the embedder).</summary>
internal static class NativeContextFactory
{
    public static SafeLlamaContextHandle Create(LlamaModel model, NativeContextSpec spec)
    {
        ObjectDisposedException.ThrowIf(model.IsDisposed, model);
        using var lease = new HandleLease(model.Handle, nameof(LlamaModel));
        var p = LlamaNative.llama_context_default_params();
        p.n_ctx = (uint)spec.ContextSize;
        p.n_batch = (uint)spec.BatchSize;
        p.n_ubatch = (uint)Math.Min(spec.MicroBatchSize, spec.BatchSize);
        p.n_seq_max = (uint)spec.Sequences;
        p.n_threads = spec.Threads;
        p.n_threads_batch = spec.BatchThreads > 0 ? spec.BatchThreads : spec.Threads;
        p.kv_unified = spec.UnifiedKvCache ? (byte)1 : (byte)0;
        p.embeddings = spec.Embeddings ? (byte)1 : (byte)0;
        p.pooling_type = spec.PoolingType;
        p.no_perf = spec.CollectPerformance ? (byte)0 : (byte)1;
        p.flash_attn_type = spec.FlashAttention switch { null => -1, true => 1, false => 0 };
        if (spec.KvCacheType is { } kv)
        {
            p.type_k = (int)kv;
            p.type_v = (int)kv;
        }

        IntPtr ctx;
        IReadOnlyList<string> errors;
        using (var capture = LlamaLog.Capture())
        {
            ctx = LlamaNative.llama_init_from_model(lease.Pointer, p);
            errors = capture.Lines.ToArray();
        }

        if (ctx == IntPtr.Zero)
        {
            throw new InvalidOperationException(
                $"llama.cpp could not create a context (n_ctx={spec.ContextSize}, n_batch={spec.BatchSize}, n_seq_max={spec.Sequences}): {string.Join(" | ", errors)}");
        }

        var handle = new SafeLlamaContextHandle(ctx, model.Handle);
        try
        {
            handle.Threads = ContextThreads.Create(ctx, p.n_threads, p.n_threads_batch, spec.AdaptiveThreads);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        return handle;
    }
}
