using Rag.Model.Native.Internal;
using Rag.Model.Native.Interop;

namespace Rag.Model.Native;

/// <summary>
/// Owns a <c>llama_context*</c>. It holds a reference on its model handle, so the model cannot be freed under a live
/// context even if the model object is disposed first (native code requires contexts to go before their model).
/// </summary>
internal sealed class SafeLlamaContextHandle : SafeModelDependentHandle
{
    public SafeLlamaContextHandle() { }

    public SafeLlamaContextHandle(IntPtr handle, SafeLlamaModelHandle model) : base(handle, model) { }

    protected override void Free(IntPtr handle) => LlamaNative.llama_free(handle);
}
