using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

#pragma warning disable IDE1006 // names follow the C API

namespace Rag.Model.Native.Interop;

/// <summary>
/// Source-generated imports of libllama. Raw pointers are used on purpose: the owning classes keep SafeHandles and
/// hold a reference on them while calling, which keeps the per-token path free of marshalling work.
/// </summary>
internal static unsafe partial class LlamaNative
{
    /// <summary>Logical library name; <see cref="LlamaBackend"/> maps it to libllama.v0.5.0.so in the native dir.</summary>
    public const string LibraryName = "llama";

    // ---- defaults, backend ----
    [LibraryImport(LibraryName)] public static partial LlamaModelParams llama_model_default_params();
    [LibraryImport(LibraryName)] public static partial LlamaContextParams llama_context_default_params();
    [LibraryImport(LibraryName)] public static partial LlamaSamplerChainParams llama_sampler_chain_default_params();
    [LibraryImport(LibraryName)] public static partial LlamaModelQuantizeParams llama_model_quantize_default_params();
    [LibraryImport(LibraryName)] public static partial void llama_backend_init();
    [LibraryImport(LibraryName)] public static partial void llama_backend_free();
    [LibraryImport(LibraryName)] public static partial IntPtr llama_print_system_info();
    [LibraryImport(LibraryName)] public static partial IntPtr llama_version();
    [LibraryImport(LibraryName)] public static partial void llama_log_set(IntPtr callback, IntPtr userData);
    [LibraryImport(LibraryName)] public static partial long llama_time_us();
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_supports_mmap();
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_supports_gpu_offload();
    [LibraryImport(LibraryName)] public static partial nuint llama_max_devices();

    // ---- model ----
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr llama_model_load_from_file(string path, LlamaModelParams parameters);
    [LibraryImport(LibraryName)] public static partial void llama_model_free(IntPtr model);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_model_get_vocab(IntPtr model);
    [LibraryImport(LibraryName)] public static partial int llama_model_n_ctx_train(IntPtr model);
    [LibraryImport(LibraryName)] public static partial int llama_model_n_embd(IntPtr model);
    [LibraryImport(LibraryName)] public static partial int llama_model_n_layer(IntPtr model);
    [LibraryImport(LibraryName)] public static partial int llama_model_n_head(IntPtr model);
    [LibraryImport(LibraryName)] public static partial int llama_model_n_head_kv(IntPtr model);
    [LibraryImport(LibraryName)] public static partial ulong llama_model_n_params(IntPtr model);
    [LibraryImport(LibraryName)] public static partial ulong llama_model_size(IntPtr model);
    [LibraryImport(LibraryName)] public static partial int llama_model_ftype(IntPtr model);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_ftype_name(int ftype);
    [LibraryImport(LibraryName)] public static partial int llama_model_desc(IntPtr model, byte* buf, nuint bufSize);
    [LibraryImport(LibraryName)] public static partial int llama_model_meta_count(IntPtr model);
    [LibraryImport(LibraryName)] public static partial int llama_model_meta_key_by_index(IntPtr model, int i, byte* buf, nuint bufSize);
    [LibraryImport(LibraryName)] public static partial int llama_model_meta_val_str_by_index(IntPtr model, int i, byte* buf, nuint bufSize);
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int llama_model_meta_val_str(IntPtr model, string key, byte* buf, nuint bufSize);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_model_chat_template(IntPtr model, byte* name);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_model_has_encoder(IntPtr model);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_model_has_decoder(IntPtr model);

    // ---- vocab ----
    [LibraryImport(LibraryName)] public static partial int llama_vocab_type(IntPtr vocab);
    [LibraryImport(LibraryName)] public static partial int llama_vocab_n_tokens(IntPtr vocab);
    [LibraryImport(LibraryName)] public static partial int llama_vocab_bos(IntPtr vocab);
    [LibraryImport(LibraryName)] public static partial int llama_vocab_eos(IntPtr vocab);
    [LibraryImport(LibraryName)] public static partial int llama_vocab_eot(IntPtr vocab);
    [LibraryImport(LibraryName)] public static partial int llama_vocab_nl(IntPtr vocab);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_vocab_get_add_bos(IntPtr vocab);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_vocab_get_add_eos(IntPtr vocab);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_vocab_is_eog(IntPtr vocab, int token);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_vocab_is_control(IntPtr vocab, int token);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_vocab_get_text(IntPtr vocab, int token);
    [LibraryImport(LibraryName)] public static partial int llama_vocab_get_attr(IntPtr vocab, int token);

    [LibraryImport(LibraryName)]
    public static partial int llama_tokenize(IntPtr vocab, byte* text, int textLen, int* tokens, int nTokensMax,
        [MarshalAs(UnmanagedType.U1)] bool addSpecial, [MarshalAs(UnmanagedType.U1)] bool parseSpecial);

    // Hot path (called once per generated token): a blittable signature with no marshalling stub work.
    [LibraryImport(LibraryName)]
    [SuppressGCTransition]
    public static partial int llama_token_to_piece(IntPtr vocab, int token, byte* buf, int length, int lstrip, byte special);

    [LibraryImport(LibraryName)]
    public static partial int llama_detokenize(IntPtr vocab, int* tokens, int nTokens, byte* text, int textLenMax,
        [MarshalAs(UnmanagedType.U1)] bool removeSpecial, [MarshalAs(UnmanagedType.U1)] bool unparseSpecial);

    [LibraryImport(LibraryName)]
    public static partial int llama_chat_apply_template(byte* tmpl, LlamaChatMessageNative* chat, nuint nMsg,
        [MarshalAs(UnmanagedType.U1)] bool addAssistant, byte* buf, int length);

    // ---- context ----
    [LibraryImport(LibraryName)] public static partial IntPtr llama_init_from_model(IntPtr model, LlamaContextParams parameters);
    [LibraryImport(LibraryName)] public static partial void llama_free(IntPtr ctx);
    [LibraryImport(LibraryName)] public static partial uint llama_n_ctx(IntPtr ctx);
    [LibraryImport(LibraryName)] public static partial uint llama_n_batch(IntPtr ctx);
    [LibraryImport(LibraryName)] public static partial uint llama_n_ubatch(IntPtr ctx);
    [LibraryImport(LibraryName)] public static partial uint llama_n_seq_max(IntPtr ctx);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_get_memory(IntPtr ctx);
    [LibraryImport(LibraryName)] public static partial void llama_memory_clear(IntPtr mem, [MarshalAs(UnmanagedType.U1)] bool data);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool llama_memory_seq_rm(IntPtr mem, int seqId, int p0, int p1);
    [LibraryImport(LibraryName)] public static partial void llama_memory_seq_cp(IntPtr mem, int src, int dst, int p0, int p1);
    [LibraryImport(LibraryName)] public static partial void llama_memory_seq_keep(IntPtr mem, int seqId);
    [LibraryImport(LibraryName)] public static partial int llama_memory_seq_pos_max(IntPtr mem, int seqId);
    [LibraryImport(LibraryName)] public static partial void llama_set_n_threads(IntPtr ctx, int nThreads, int nThreadsBatch);
    [LibraryImport(LibraryName)] public static partial void llama_attach_threadpool(IntPtr ctx, IntPtr threadpool, IntPtr threadpoolBatch);
    [LibraryImport(LibraryName)] public static partial void llama_detach_threadpool(IntPtr ctx);
    [LibraryImport(LibraryName)] public static partial void llama_set_abort_callback(IntPtr ctx, IntPtr callback, IntPtr data);
    [LibraryImport(LibraryName)] public static partial int llama_decode(IntPtr ctx, LlamaBatch batch);
    [LibraryImport(LibraryName)] public static partial int llama_encode(IntPtr ctx, LlamaBatch batch);
    [LibraryImport(LibraryName)] public static partial float* llama_get_logits_ith(IntPtr ctx, int i);
    [LibraryImport(LibraryName)] public static partial float* llama_get_embeddings_ith(IntPtr ctx, int i);
    [LibraryImport(LibraryName)] public static partial float* llama_get_embeddings_seq(IntPtr ctx, int seqId);
    [LibraryImport(LibraryName)] public static partial LlamaBatch llama_batch_init(int nTokens, int embd, int nSeqMax);
    [LibraryImport(LibraryName)] public static partial void llama_batch_free(LlamaBatch batch);
    [LibraryImport(LibraryName)] public static partial LlamaPerfContextData llama_perf_context(IntPtr ctx);
    [LibraryImport(LibraryName)] public static partial void llama_perf_context_reset(IntPtr ctx);

    // ---- sampling ----
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_chain_init(LlamaSamplerChainParams parameters);
    [LibraryImport(LibraryName)] public static partial void llama_sampler_chain_add(IntPtr chain, IntPtr sampler);
    [LibraryImport(LibraryName)] public static partial int llama_sampler_chain_n(IntPtr chain);
    [LibraryImport(LibraryName)] public static partial void llama_sampler_free(IntPtr sampler);
    [LibraryImport(LibraryName)] public static partial void llama_sampler_reset(IntPtr sampler);
    [LibraryImport(LibraryName)] public static partial void llama_sampler_accept(IntPtr sampler, int token);
    [LibraryImport(LibraryName)] public static partial void llama_sampler_apply(IntPtr sampler, LlamaTokenDataArray* curP);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_clone(IntPtr sampler);
    [LibraryImport(LibraryName)] public static partial int llama_sampler_sample(IntPtr sampler, IntPtr ctx, int idx);
    [LibraryImport(LibraryName)] public static partial uint llama_sampler_get_seed(IntPtr sampler);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_greedy();
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_dist(uint seed);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_top_k(int k);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_top_p(float p, nuint minKeep);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_min_p(float p, nuint minKeep);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_typical(float p, nuint minKeep);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_temp(float t);
    [LibraryImport(LibraryName)]
    public static partial IntPtr llama_sampler_init_penalties(int nVocab, int penaltyLastN, float penaltyRepeat, float penaltyFreq, float penaltyPresent);
    [LibraryImport(LibraryName)]
    public static partial IntPtr llama_sampler_init_logit_bias(int nVocab, int nLogitBias, LlamaLogitBiasNative* logitBias);
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr llama_sampler_init_grammar(IntPtr vocab, string grammar, string root);

    // ---- quantization ----
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint llama_model_quantize(string input, string output, LlamaModelQuantizeParams* parameters);
}
