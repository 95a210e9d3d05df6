using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Rag.Model.Native.Interop;

namespace Rag.Model.Native;

/// <summary>
/// Owns a <c>llama_batch</c> made by <c>llama_batch_init</c>. The struct itself lives in native memory so that the
/// decode loop can refill it in place and pass it by value without pinning anything.
/// </summary>
internal sealed unsafe class SafeLlamaBatchHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeLlamaBatchHandle(int capacity, int maxSequencesPerToken) : base(ownsHandle: true)
    {
        Capacity = capacity;
        var p = (LlamaBatch*)NativeMemory.AllocZeroed((nuint)sizeof(LlamaBatch));
        *p = LlamaNative.llama_batch_init(capacity, 0, maxSequencesPerToken);
        SetHandle((IntPtr)p);
    }

    /// <summary>Maximum number of tokens the batch holds.</summary>
    public int Capacity { get; }

    /// <summary>The batch struct; valid while the handle is not closed.</summary>
    public LlamaBatch* Batch => (LlamaBatch*)handle;

    protected override bool ReleaseHandle()
    {
        var p = (LlamaBatch*)handle;
        LlamaNative.llama_batch_free(*p);
        NativeMemory.Free(p);
        return true;
    }
}
