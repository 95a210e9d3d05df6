using Microsoft.Win32.SafeHandles;
using Rag.Model.Native.Interop;

namespace Rag.Model.Native;

/// <summary>
/// Owns a <c>llama_context*</c>. It holds a reference on its model handle, so the model cannot be freed under a live
/// context even if the model object is disposed first (native code requires contexts to go before their model).
/// </summary>
internal sealed class SafeLlamaContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private readonly SafeLlamaModelHandle? _model;
    private readonly bool _modelRefAdded;

    public SafeLlamaContextHandle() : base(ownsHandle: true) { }

    public SafeLlamaContextHandle(IntPtr handle, SafeLlamaModelHandle model) : base(ownsHandle: true)
    {
        _model = model;
        var added = false;
        model.DangerousAddRef(ref added);
        _modelRefAdded = added;
        SetHandle(handle);
    }

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_free(handle);
        if (_modelRefAdded)
        {
            _model!.DangerousRelease();
        }

        return true;
    }
}
