using Rag.Model.Lora;
using Rag.Model.Native.Interop;

namespace Rag.Model.Serving.Internal;

/// <summary>
/// Tracks the adapter set active on one native context and holds a reference on each active adapter's handle, so an
/// adapter disposed by its owner is only freed once no context points at it.
/// </summary>
internal sealed unsafe class AdapterBinding : IDisposable
{
    private readonly List<LlamaLoraAdapter> _held = [];
    private string _key = string.Empty;

    public string CurrentKey => _key;

    public void Apply(IntPtr ctx, LoraAdapterSet set)
    {
        if (set.Key == _key)
        {
            return;
        }

        var n = set.Adapters.Count;
        var ptrs = stackalloc IntPtr[Math.Max(1, n)];
        var scales = stackalloc float[Math.Max(1, n)];
        var added = new List<LlamaLoraAdapter>(n);
        try
        {
            for (var i = 0; i < n; i++)
            {
                var a = set.Adapters[i];
                var ok = false;
                a.Adapter.Handle.DangerousAddRef(ref ok);
                added.Add(a.Adapter);
                ptrs[i] = a.Adapter.Handle.DangerousGetHandle();
                scales[i] = a.Scale;
            }

            var rc = LlamaNative.llama_set_adapters_lora(ctx, n == 0 ? null : ptrs, (nuint)n, n == 0 ? null : scales);
            if (rc != 0)
            {
                throw new InvalidOperationException($"llama_set_adapters_lora failed ({rc}) for {set}.");
            }
        }
        catch
        {
            foreach (var a in added)
            {
                a.Handle.DangerousRelease();
            }

            throw;
        }

        ReleaseHeld();
        _held.AddRange(added);
        _key = set.Key;
    }

    public void Dispose() => ReleaseHeld();

    private void ReleaseHeld()
    {
        foreach (var a in _held)
        {
            a.Handle.DangerousRelease();
        }

        _held.Clear();
        _key = string.Empty;
    }
}
