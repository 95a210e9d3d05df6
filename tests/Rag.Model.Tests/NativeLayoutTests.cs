using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Rag.Model.Native;
using Rag.Model.Native.Interop;

namespace Rag.Model.Tests;

/// <summary>
/// Pins the interop structs to include/llama.h of the pinned release. Sizes and offsets below were computed from the
/// header for x86-64 (LP64): e.g. llama_model_params = 2 pointers, 5 int32 + padding, 4 pointers, 6 bools → 80 bytes.
/// The defaults are the values llama.cpp documents in llama_*_default_params() of the same release.
/// </summary>
public class NativeLayoutTests
{
    public NativeLayoutTests() => LlamaBackend.EnsureInitialized();

    [Fact]
    public void Struct_sizes_match_the_header()
    {
        Assert.Equal(80, Unsafe.SizeOf<LlamaModelParams>());
        Assert.Equal(160, Unsafe.SizeOf<LlamaContextParams>());
        Assert.Equal(56, Unsafe.SizeOf<LlamaBatch>());
        Assert.Equal(64, Unsafe.SizeOf<LlamaModelQuantizeParams>());
        Assert.Equal(32, Unsafe.SizeOf<LlamaTokenDataArray>());
        Assert.Equal(12, Unsafe.SizeOf<LlamaTokenData>());
        Assert.Equal(8, Unsafe.SizeOf<LlamaLogitBiasNative>());
        Assert.Equal(1, Unsafe.SizeOf<LlamaSamplerChainParams>());
        Assert.Equal(16, Unsafe.SizeOf<LlamaChatMessageNative>());
        Assert.Equal(48, Unsafe.SizeOf<LlamaPerfContextData>());
    }

    [Fact]
    public void Field_offsets_match_the_header()
    {
        Assert.Equal(32, Off<LlamaModelParams>(nameof(LlamaModelParams.main_gpu)));
        Assert.Equal(40, Off<LlamaModelParams>(nameof(LlamaModelParams.tensor_split)));
        Assert.Equal(64, Off<LlamaModelParams>(nameof(LlamaModelParams.kv_overrides)));
        Assert.Equal(72, Off<LlamaModelParams>(nameof(LlamaModelParams.vocab_only)));
        Assert.Equal(88, Off<LlamaContextParams>(nameof(LlamaContextParams.cb_eval)));
        Assert.Equal(104, Off<LlamaContextParams>(nameof(LlamaContextParams.type_k)));
        Assert.Equal(112, Off<LlamaContextParams>(nameof(LlamaContextParams.abort_callback)));
        Assert.Equal(128, Off<LlamaContextParams>(nameof(LlamaContextParams.embeddings)));
        Assert.Equal(136, Off<LlamaContextParams>(nameof(LlamaContextParams.samplers)));
        Assert.Equal(152, Off<LlamaContextParams>(nameof(LlamaContextParams.ctx_other)));
        Assert.Equal(48, Off<LlamaBatch>(nameof(LlamaBatch.logits)));
        Assert.Equal(24, Off<LlamaModelQuantizeParams>(nameof(LlamaModelQuantizeParams.imatrix)));
        Assert.Equal(56, Off<LlamaModelQuantizeParams>(nameof(LlamaModelQuantizeParams.max_buf_size)));
        Assert.Equal(24, Off<LlamaTokenDataArray>(nameof(LlamaTokenDataArray.sorted)));
    }

    [Fact]
    public void Model_default_params_match_documented_defaults()
    {
        var p = LlamaNative.llama_model_default_params();
        Assert.Equal(IntPtr.Zero, p.devices);
        Assert.Equal(IntPtr.Zero, p.tensor_buft_overrides);
        Assert.Equal(-1, p.n_gpu_layers);
        Assert.Equal(1, p.split_mode);   // LLAMA_SPLIT_MODE_LAYER
        Assert.Equal(-1, p.load_mode);   // LLAMA_LOAD_MODE_AUTO
        Assert.Equal(1, p.lazy_mode);    // LLAMA_LAZY_MODE_AUTO
        Assert.Equal(0, p.main_gpu);
        Assert.Equal(IntPtr.Zero, p.tensor_split);
        Assert.Equal(IntPtr.Zero, p.progress_callback);
        Assert.Equal(IntPtr.Zero, p.kv_overrides);
        Assert.Equal(0, p.vocab_only);
        Assert.Equal(0, p.check_tensors);
        Assert.Equal(1, p.use_extra_bufts);
        Assert.Equal(0, p.no_host);
        Assert.Equal(0, p.no_alloc);
        Assert.Equal(0, p.load_mtp);
    }

    [Fact]
    public void Context_default_params_match_documented_defaults()
    {
        var p = LlamaNative.llama_context_default_params();
        Assert.Equal(512u, p.n_ctx);
        Assert.Equal(2048u, p.n_batch);
        Assert.Equal(512u, p.n_ubatch);
        Assert.Equal(1u, p.n_seq_max);
        Assert.Equal(0u, p.n_rs_seq);
        Assert.Equal(0u, p.n_outputs_max);
        Assert.Equal(1u, p.n_outputs_max_per_seq);
        Assert.Equal(4, p.n_threads);        // GGML_DEFAULT_N_THREADS
        Assert.Equal(4, p.n_threads_batch);
        Assert.Equal(0, p.ctx_type);
        Assert.Equal(-1, p.rope_scaling_type);
        Assert.Equal(-1, p.pooling_type);
        Assert.Equal(-1, p.attention_type);
        Assert.Equal(-1, p.flash_attn_type);
        Assert.Equal(0f, p.rope_freq_base);
        Assert.Equal(0f, p.rope_freq_scale);
        Assert.Equal(-1f, p.yarn_ext_factor);
        Assert.Equal(-1f, p.yarn_attn_factor);
        Assert.Equal(-1f, p.yarn_beta_fast);
        Assert.Equal(-1f, p.yarn_beta_slow);
        Assert.Equal(0u, p.yarn_orig_ctx);
        Assert.Equal(-1f, p.defrag_thold);
        Assert.Equal(IntPtr.Zero, p.cb_eval);
        Assert.Equal(1, p.type_k);           // GGML_TYPE_F16
        Assert.Equal(1, p.type_v);
        Assert.Equal(IntPtr.Zero, p.abort_callback);
        Assert.Equal(0, p.embeddings);
        Assert.Equal(1, p.offload_kqv);
        Assert.Equal(1, p.no_perf);
        Assert.Equal(1, p.op_offload);
        Assert.Equal(1, p.swa_full);
        Assert.Equal(0, p.kv_unified);
        Assert.Equal(IntPtr.Zero, p.samplers);
        Assert.Equal(0u, (uint)p.n_samplers);
        Assert.Equal(IntPtr.Zero, p.ctx_other);
    }

    [Fact]
    public void Sampler_chain_and_quantize_defaults_match_documented_defaults()
    {
        Assert.Equal(1, LlamaNative.llama_sampler_chain_default_params().no_perf); // no_perf = true
        var q = LlamaNative.llama_model_quantize_default_params();
        Assert.Equal(0, q.nthread);
        Assert.Equal(7, q.ftype);                     // LLAMA_FTYPE_MOSTLY_Q8_0
        Assert.Equal(q.output_tensor_type, q.token_embedding_type); // both GGML_TYPE_COUNT
        Assert.True(q.output_tensor_type > 30);
        Assert.Equal(0, q.allow_requantize);
        Assert.Equal(1, q.quantize_output_tensor);
        Assert.Equal(0, q.only_copy);
        Assert.Equal(0, q.pure);
        Assert.Equal(0, q.keep_split);
        Assert.Equal(0, q.dry_run);
        Assert.Equal(IntPtr.Zero, q.imatrix);
        Assert.Equal(IntPtr.Zero, q.prune_layers);
        Assert.True(q.max_buf_size > 0);
    }

    private static int Off<T>(string field) => (int)Marshal.OffsetOf<T>(field);
}
