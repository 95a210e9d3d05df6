using Rag.Model.Native.Internal;
using Rag.Model.Native.Interop;

namespace Rag.Model.Native;

/// <summary>
/// Owns a <c>llama_context*</c> and its compute threads. It holds a reference on its model handle, so the model cannot
/// be freed under a live context even if the model object is disposed first (native code requires contexts to go
/// before their model), and it frees its CPU thread pool only after the context, which keeps a pointer to it.
/// </summary>
internal sealed class SafeLlamaContextHandle : SafeModelDependentHandle
{
    public SafeLlamaContextHandle() { }

    public SafeLlamaContextHandle(IntPtr handle, SafeLlamaModelHandle model) : base(handle, model) { }

    /// <summary>The context's compute threads; set once by <see cref="NativeContextFactory"/>.</summary>
    internal ContextThreads? Threads { get; set; }

    /// <summary>
    /// Every <c>llama_decode</c> of the binding goes through here, so the thread count is chosen before each one.
    /// <paramref name="ctx"/> is this handle's pointer, which the caller keeps referenced for the call.
    /// </summary>
    internal int Decode(IntPtr ctx, LlamaBatch batch)
    {
        var threads = Threads;
        if (threads is null)
        {
            return LlamaNative.llama_decode(ctx, batch);
        }

        var leased = threads.Enter(ctx);
        try
        {
            return LlamaNative.llama_decode(ctx, batch);
        }
        finally
        {
            ContextThreads.Exit(leased);
        }
    }

    protected override void Free(IntPtr handle)
    {
        LlamaNative.llama_free(handle);
        Threads?.ReleasePools();
    }
}
