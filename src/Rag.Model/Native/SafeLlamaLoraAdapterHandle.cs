using Microsoft.Win32.SafeHandles;
using Rag.Model.Native.Interop;

namespace Rag.Model.Native;

/// <summary>
/// Owns a <c>llama_adapter_lora*</c>. llama.cpp frees an adapter implicitly when its model is freed, so this handle
/// holds a reference on the model handle: the adapter is always freed first, by us, exactly once.
/// </summary>
internal sealed class SafeLlamaLoraAdapterHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private readonly SafeLlamaModelHandle? _model;
    private readonly bool _modelRefAdded;

    public SafeLlamaLoraAdapterHandle() : base(ownsHandle: true) { }

    public SafeLlamaLoraAdapterHandle(IntPtr handle, SafeLlamaModelHandle model) : base(ownsHandle: true)
    {
        _model = model;
        var added = false;
        model.DangerousAddRef(ref added);
        _modelRefAdded = added;
        SetHandle(handle);
    }

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_adapter_lora_free(handle);
        if (_modelRefAdded)
        {
            _model!.DangerousRelease();
        }

        return true;
    }
}
