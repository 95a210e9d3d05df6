using System.Runtime.InteropServices;

#pragma warning disable IDE1006 // names follow the C API

namespace Rag.Model.Native.Interop;

/// <summary>
/// Imports used by the serving layer (batch scheduler, embeddings, reranking, LoRA adapters). Kept in their own
/// partial file so the core binding stays small.
/// </summary>
internal static unsafe partial class LlamaNative
{
    // ---- LoRA adapters ----
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr llama_adapter_lora_init(IntPtr model, string pathLora);
    [LibraryImport(LibraryName)] public static partial void llama_adapter_lora_free(IntPtr adapter);
    [LibraryImport(LibraryName)] public static partial int llama_set_adapters_lora(IntPtr ctx, IntPtr* adapters, nuint nAdapters, float* scales);
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int llama_adapter_meta_val_str(IntPtr adapter, string key, byte* buf, nuint bufSize);

    // ---- pooling / embeddings / classification ----
    [LibraryImport(LibraryName)] public static partial int llama_pooling_type(IntPtr ctx);
    [LibraryImport(LibraryName)] public static partial uint llama_model_n_cls_out(IntPtr model);
    [LibraryImport(LibraryName)] public static partial int llama_vocab_sep(IntPtr vocab);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_vocab_get_add_sep(IntPtr vocab);
    [LibraryImport(LibraryName)] public static partial int llama_memory_seq_pos_min(IntPtr mem, int seqId);
    [LibraryImport(LibraryName)] public static partial void llama_synchronize(IntPtr ctx);
}
