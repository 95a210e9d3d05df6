using System.Runtime.InteropServices;

#pragma warning disable IDE1006 // names follow the C API

namespace Rag.Model.Native.Interop;

/// <summary>Imports of libggml (backend registry) and libggml-base (devices, logging).</summary>
internal static partial class GgmlNative
{
    /// <summary>Logical name mapped to libggml.v0.5.0.so.</summary>
    public const string GgmlLibrary = "ggml";

    /// <summary>Logical name mapped to libggml-base.so.</summary>
    public const string GgmlBaseLibrary = "ggml-base";

    [LibraryImport(GgmlLibrary, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void ggml_backend_load_all_from_path(string dirPath);
    [LibraryImport(GgmlLibrary, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr ggml_backend_load(string path);
    [LibraryImport(GgmlLibrary)] public static partial nuint ggml_backend_dev_count();
    [LibraryImport(GgmlLibrary)] public static partial IntPtr ggml_backend_dev_get(nuint index);
    [LibraryImport(GgmlLibrary)] public static partial nuint ggml_backend_reg_count();
    [LibraryImport(GgmlLibrary)] public static partial IntPtr ggml_backend_reg_get(nuint index);
    [LibraryImport(GgmlBaseLibrary)] public static partial IntPtr ggml_backend_reg_name(IntPtr reg);
    [LibraryImport(GgmlBaseLibrary)] public static partial IntPtr ggml_backend_dev_name(IntPtr device);
    [LibraryImport(GgmlBaseLibrary)] public static partial IntPtr ggml_backend_dev_description(IntPtr device);
    [LibraryImport(GgmlBaseLibrary)] public static partial int ggml_backend_dev_type(IntPtr device);
    [LibraryImport(GgmlBaseLibrary)] public static partial void ggml_backend_dev_memory(IntPtr device, out nuint free, out nuint total);
    [LibraryImport(GgmlBaseLibrary)] public static partial void ggml_log_set(IntPtr callback, IntPtr userData);

    // ---- CPU thread pools: ggml_threadpool_new/free live in the CPU backend variant picked at run time
    // (libggml-cpu-<arch>.so), so they are reached through the registry's proc-address lookup, not imported. ----
    [LibraryImport(GgmlLibrary, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr ggml_backend_reg_by_name(string name);
    [LibraryImport(GgmlBaseLibrary, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr ggml_backend_reg_get_proc_address(IntPtr reg, string name);
    [LibraryImport(GgmlBaseLibrary)] public static partial GgmlThreadPoolParams ggml_threadpool_params_default(int nThreads);
}
