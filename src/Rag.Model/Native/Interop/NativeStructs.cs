using System.Runtime.InteropServices;

// Layouts mirror include/llama.h of the pinned llama.cpp release (node-llama-cpp 3.22.1, llama.cpp "v0.5.0" build).
// C `bool` is one byte, so boolean members are declared as byte and wrapped by properties; that keeps every struct
// blittable, which source-generated P/Invoke needs to pass them by value. NativeLayoutTests pins sizes and offsets.
#pragma warning disable CA1815 // interop structs are never compared
#pragma warning disable IDE1006 // field names follow the C header

namespace Rag.Model.Native.Interop;

/// <summary>llama_model_params.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaModelParams
{
    public IntPtr devices;
    public IntPtr tensor_buft_overrides;
    public int n_gpu_layers;
    public int split_mode;
    public int load_mode;
    public int lazy_mode;
    public int main_gpu;
    public IntPtr tensor_split;
    public IntPtr progress_callback;
    public IntPtr progress_callback_user_data;
    public IntPtr kv_overrides;
    public byte vocab_only;
    public byte check_tensors;
    public byte use_extra_bufts;
    public byte no_host;
    public byte no_alloc;
    public byte load_mtp;
}

/// <summary>llama_context_params.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaContextParams
{
    public uint n_ctx;
    public uint n_batch;
    public uint n_ubatch;
    public uint n_seq_max;
    public uint n_rs_seq;
    public uint n_outputs_max;
    public uint n_outputs_max_per_seq;
    public int n_threads;
    public int n_threads_batch;
    public int ctx_type;
    public int rope_scaling_type;
    public int pooling_type;
    public int attention_type;
    public int flash_attn_type;
    public float rope_freq_base;
    public float rope_freq_scale;
    public float yarn_ext_factor;
    public float yarn_attn_factor;
    public float yarn_beta_fast;
    public float yarn_beta_slow;
    public uint yarn_orig_ctx;
    public float defrag_thold;
    public IntPtr cb_eval;
    public IntPtr cb_eval_user_data;
    public int type_k;
    public int type_v;
    public IntPtr abort_callback;
    public IntPtr abort_callback_data;
    public byte embeddings;
    public byte offload_kqv;
    public byte no_perf;
    public byte op_offload;
    public byte swa_full;
    public byte kv_unified;
    public IntPtr samplers;
    public nuint n_samplers;
    public IntPtr ctx_other;
}

/// <summary>llama_batch: arrays are owned by whoever filled them (llama_batch_init or the caller).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaBatch
{
    public int n_tokens;
    public int* token;
    public float* embd;
    public int* pos;
    public int* n_seq_id;
    public int** seq_id;
    public sbyte* logits;
}

/// <summary>llama_token_data.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaTokenData
{
    public int id;
    public float logit;
    public float p;
}

/// <summary>llama_token_data_array.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaTokenDataArray
{
    public LlamaTokenData* data;
    public nuint size;
    public long selected;
    public byte sorted;
}

/// <summary>llama_logit_bias.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaLogitBiasNative
{
    public int token;
    public float bias;
}

/// <summary>llama_sampler_chain_params.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaSamplerChainParams
{
    public byte no_perf;
}

/// <summary>llama_chat_message.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaChatMessageNative
{
    public IntPtr role;
    public IntPtr content;
}

/// <summary>llama_model_quantize_params.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaModelQuantizeParams
{
    public int nthread;
    public int ftype;
    public int output_tensor_type;
    public int token_embedding_type;
    public byte allow_requantize;
    public byte quantize_output_tensor;
    public byte only_copy;
    public byte pure;
    public byte keep_split;
    public byte dry_run;
    public IntPtr imatrix;
    public IntPtr kv_overrides;
    public IntPtr tt_overrides;
    public IntPtr prune_layers;
    public nuint max_buf_size;
}

/// <summary>llama_perf_context_data.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaPerfContextData
{
    public double t_start_ms;
    public double t_load_ms;
    public double t_p_eval_ms;
    public double t_eval_ms;
    public int n_p_eval;
    public int n_eval;
    public int n_reused;
}

/// <summary>ggml_threadpool_params (ggml/include/ggml.h): a <c>bool cpumask[GGML_MAX_N_THREADS = 512]</c> then the scalars.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GgmlThreadPoolParams
{
    public const int MaxThreads = 512;

    public fixed byte cpumask[MaxThreads];
    public int n_threads;
    public int prio;
    public uint poll;
    public byte strict_cpu;
    public byte paused;
}
