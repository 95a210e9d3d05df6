using System.Runtime.InteropServices;

namespace Rag.Model.Native.Internal;

/// <summary>
/// Holds a reference on a SafeHandle for the span of a native call, so a concurrent Dispose cannot free the object
/// mid-call; acquiring one on a closed handle throws <see cref="ObjectDisposedException"/>.
/// </summary>
internal readonly ref struct HandleLease
{
    private readonly SafeHandle _handle;

    public HandleLease(SafeHandle handle, string objectName)
    {
        _handle = handle;
        var ok = false;
        try
        {
            handle.DangerousAddRef(ref ok);
        }
        catch (ObjectDisposedException)
        {
            throw new ObjectDisposedException(objectName);
        }

        Pointer = handle.DangerousGetHandle();
    }

    public IntPtr Pointer { get; }

    public void Dispose() => _handle.DangerousRelease();
}
