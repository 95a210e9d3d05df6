using Microsoft.Win32.SafeHandles;
using Rag.Model.Native.Internal;

namespace Rag.Model.Native;

/// <summary>
/// Owns a <c>ggml_threadpool*</c> of the CPU backend: persistent compute workers that sleep on a condition variable
/// between graphs (<c>poll = 0</c>) instead of being created and joined for every graph. A context that uses it holds a
/// reference on this handle until the context itself is freed, because the CPU backend keeps the pointer.
/// </summary>
internal sealed class SafeGgmlThreadPoolHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeGgmlThreadPoolHandle() : base(ownsHandle: true) { }

    private SafeGgmlThreadPoolHandle(IntPtr handle, int threads) : base(ownsHandle: true)
    {
        SetHandle(handle);
        Threads = threads;
    }

    /// <summary>Workers in the pool, the calling thread included (it is worker 0).</summary>
    public int Threads { get; }

    /// <summary>Creates a pool of <paramref name="threads"/> passive workers, or returns null when this ggml build has no pool API.</summary>
    public static SafeGgmlThreadPoolHandle? TryCreate(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 2);
        var pool = CpuThreadPoolApi.New(threads);
        return pool == IntPtr.Zero ? null : new SafeGgmlThreadPoolHandle(pool, threads);
    }

    protected override bool ReleaseHandle()
    {
        CpuThreadPoolApi.Free(handle);
        return true;
    }
}
