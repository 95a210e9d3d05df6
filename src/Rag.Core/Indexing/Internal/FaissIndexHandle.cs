using Microsoft.Win32.SafeHandles;

namespace Rag.Core.Indexing.Internal;

/// <summary>Owns a <c>faiss::Index*</c> created by the shim; frees it exactly once.</summary>
internal sealed class FaissIndexHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public FaissIndexHandle()
        : base(ownsHandle: true)
    {
    }

    public FaissIndexHandle(IntPtr pointer)
        : base(ownsHandle: true) => SetHandle(pointer);

    protected override bool ReleaseHandle()
    {
        FaissNative.rag_faiss_free(handle);
        return true;
    }
}
