using Microsoft.Win32.SafeHandles;

namespace Rag.Model.Native.Internal;

/// <summary>
/// A native object that must be freed before its model (a context, a LoRA adapter). It holds a reference on the model
/// handle from creation until it is freed, so disposing the model object first can never free the model under it.
/// </summary>
internal abstract class SafeModelDependentHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private readonly SafeLlamaModelHandle? _model;
    private readonly bool _modelRefAdded;

    protected SafeModelDependentHandle() : base(ownsHandle: true) { }

    protected SafeModelDependentHandle(IntPtr handle, SafeLlamaModelHandle model) : base(ownsHandle: true)
    {
        _model = model;
        var added = false;
        model.DangerousAddRef(ref added);
        _modelRefAdded = added;
        SetHandle(handle);
    }

    /// <summary>Frees the native object itself.</summary>
    protected abstract void Free(IntPtr handle);

    protected sealed override bool ReleaseHandle()
    {
        Free(handle);
        if (_modelRefAdded)
        {
            _model!.DangerousRelease();
        }

        return true;
    }
}
