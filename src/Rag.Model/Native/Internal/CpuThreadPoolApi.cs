using Rag.Model.Native.Interop;

namespace Rag.Model.Native.Internal;

/// <summary>
/// <c>ggml_threadpool_new</c> and <c>ggml_threadpool_free</c>. They are exported by the CPU backend variant that
/// <c>ggml_backend_load_all_from_path</c> picked at run time (libggml-cpu-zen4.so, -haswell.so, …), so they are looked
/// up through the CPU backend's registry entry once, not imported by name.
/// </summary>
internal static unsafe class CpuThreadPoolApi
{
    private static readonly Lazy<(IntPtr New, IntPtr Free)> Functions = new(Resolve);

    /// <summary>True when the loaded CPU backend exports the pool API.</summary>
    public static bool IsAvailable => Functions.Value.New != IntPtr.Zero;

    /// <summary>
    /// Creates a pool whose idle workers sleep (poll 0) rather than spin; IntPtr.Zero when the API is missing.
    /// Spinning (ggml's default, poll 50) only pays off when the cores are otherwise idle, and the thread governor
    /// already hands out cores by measurement, so the pool never needs to burn a core to shave a wake-up.
    /// </summary>
    public static IntPtr New(int threads)
    {
        var (newFn, _) = Functions.Value;
        if (newFn == IntPtr.Zero)
        {
            return IntPtr.Zero;
        }

        var p = GgmlNative.ggml_threadpool_params_default(threads);
        p.poll = 0;
        return ((delegate* unmanaged[Cdecl]<GgmlThreadPoolParams*, IntPtr>)newFn)(&p);
    }

    /// <summary>Stops and joins the workers and frees the pool.</summary>
    public static void Free(IntPtr pool) => ((delegate* unmanaged[Cdecl]<IntPtr, void>)Functions.Value.Free)(pool);

    private static (IntPtr, IntPtr) Resolve()
    {
        LlamaBackend.EnsureInitialized();
        var reg = GgmlNative.ggml_backend_reg_by_name("CPU");
        if (reg == IntPtr.Zero)
        {
            return (IntPtr.Zero, IntPtr.Zero);
        }

        var newFn = GgmlNative.ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_new");
        var freeFn = GgmlNative.ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_free");
        return newFn == IntPtr.Zero || freeFn == IntPtr.Zero ? (IntPtr.Zero, IntPtr.Zero) : (newFn, freeFn);
    }
}
