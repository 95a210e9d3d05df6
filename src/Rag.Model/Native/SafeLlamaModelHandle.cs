using Microsoft.Win32.SafeHandles;
using Rag.Model.Native.Interop;

namespace Rag.Model.Native;

/// <summary>Owns a <c>llama_model*</c>; released with <c>llama_model_free</c>.</summary>
internal sealed class SafeLlamaModelHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeLlamaModelHandle() : base(ownsHandle: true) { }

    public SafeLlamaModelHandle(IntPtr handle) : base(ownsHandle: true) => SetHandle(handle);

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_model_free(handle);
        return true;
    }
}
