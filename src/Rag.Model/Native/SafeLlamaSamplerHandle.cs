using Microsoft.Win32.SafeHandles;
using Rag.Model.Native.Interop;

namespace Rag.Model.Native;

/// <summary>Owns a <c>llama_sampler*</c> (normally a chain, which frees the samplers added to it).</summary>
internal sealed class SafeLlamaSamplerHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeLlamaSamplerHandle() : base(ownsHandle: true) { }

    public SafeLlamaSamplerHandle(IntPtr handle) : base(ownsHandle: true) => SetHandle(handle);

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_sampler_free(handle);
        return true;
    }
}
