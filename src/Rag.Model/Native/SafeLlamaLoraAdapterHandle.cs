using Rag.Model.Native.Internal;
using Rag.Model.Native.Interop;

namespace Rag.Model.Native;

/// <summary>
/// Owns a <c>llama_adapter_lora*</c>. llama.cpp frees an adapter implicitly when its model is freed, so this handle
/// holds a reference on the model handle: the adapter is always freed first, by us, exactly once.
/// </summary>
internal sealed class SafeLlamaLoraAdapterHandle : SafeModelDependentHandle
{
    public SafeLlamaLoraAdapterHandle() { }

    public SafeLlamaLoraAdapterHandle(IntPtr handle, SafeLlamaModelHandle model) : base(handle, model) { }

    protected override void Free(IntPtr handle) => LlamaNative.llama_adapter_lora_free(handle);
}
