using Rag.Model.Native;
using Rag.Model.Serving.Internal;
using Rag.Model.Inference;
using Rag.Model.Native.Internal;

namespace Rag.Model.Lora;

/// <summary>Applies LoRA adapters to a single-sequence <see cref="LlamaContext"/>.</summary>
public static class LoraContextExtensions
{
    /// <summary>
    /// Activates <paramref name="adapters"/> on <paramref name="context"/> until the returned scope is disposed, which
    /// restores the base model. The scope keeps the adapters loaded while they are active, so disposing an adapter
    /// early cannot leave the context pointing at freed memory.
    /// </summary>
    /// <exception cref="ArgumentException">An adapter was loaded for another model instance.</exception>
    public static IDisposable UseLoraAdapters(this LlamaContext context, LoraAdapterSet adapters)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(adapters);
        foreach (var a in adapters.Adapters)
        {
            if (!ReferenceEquals(a.Adapter.Model, context.Model))
            {
                throw new ArgumentException($"LoRA adapter {a.Adapter} was loaded for {a.Adapter.Model.Path}, not for this context's model instance.", nameof(adapters));
            }
        }

        var state = new AdapterBinding();
        using (var c = new HandleLease(context.Handle, nameof(LlamaContext)))
        {
            state.Apply(c.Pointer, adapters);
        }

        return new Scope(context, state);
    }

    private sealed class Scope(LlamaContext context, AdapterBinding state) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            if (!context.Handle.IsClosed)
            {
                using var c = new HandleLease(context.Handle, nameof(LlamaContext));
                state.Apply(c.Pointer, LoraAdapterSet.Empty);
            }

            state.Dispose();
        }
    }
}
