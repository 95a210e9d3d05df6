using System.Globalization;
using System.Text;

namespace Rag.Model.Lora;

/// <summary>One adapter and the scale it is applied with.</summary>
/// <param name="Adapter">A loaded adapter.</param>
/// <param name="Scale">Its scale (1 = as trained, 0 = off).</param>
public readonly record struct LoraAdapterScale(LlamaLoraAdapter Adapter, float Scale);

/// <summary>
/// The adapters (and scales) a request runs with. Adapters with scale 0 are dropped, exactly as llama.cpp drops them,
/// so a set of zero-scale adapters is the base model. Sets with the same adapters and scales share a
/// <see cref="Key"/>; the scheduler batches only requests with the same key together, which keeps results exact.
/// </summary>
public sealed class LoraAdapterSet
{
    /// <summary>No adapters: the base model.</summary>
    public static LoraAdapterSet Empty { get; } = new([]);

    /// <summary>Creates a set.</summary>
    /// <exception cref="ArgumentException">A scale is not finite, an adapter is disposed, or an adapter appears twice.</exception>
    public LoraAdapterSet(IEnumerable<LoraAdapterScale> adapters)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        var list = new List<LoraAdapterScale>();
        foreach (var a in adapters)
        {
            ArgumentNullException.ThrowIfNull(a.Adapter, nameof(adapters));
            if (!float.IsFinite(a.Scale))
            {
                throw new ArgumentException($"The scale of LoRA adapter {a.Adapter} must be finite, not {a.Scale}.", nameof(adapters));
            }

            ObjectDisposedException.ThrowIf(a.Adapter.IsDisposed, a.Adapter);
            if (list.Any(x => ReferenceEquals(x.Adapter, a.Adapter)))
            {
                throw new ArgumentException($"LoRA adapter {a.Adapter} appears twice in one set.", nameof(adapters));
            }

            if (a.Scale != 0f)
            {
                list.Add(a);
            }
        }

        list.Sort((x, y) => x.Adapter.Id.CompareTo(y.Adapter.Id));
        Adapters = list;
        var sb = new StringBuilder();
        foreach (var a in list)
        {
            sb.Append(a.Adapter.Id.ToString(CultureInfo.InvariantCulture)).Append(':')
              .Append(BitConverter.SingleToInt32Bits(a.Scale).ToString("x8", CultureInfo.InvariantCulture)).Append(';');
        }

        Key = sb.ToString();
    }

    /// <summary>A set with one adapter.</summary>
    public static LoraAdapterSet Of(LlamaLoraAdapter adapter, float scale = 1f) => new([new LoraAdapterScale(adapter, scale)]);

    /// <summary>The adapters with a non-zero scale, in a canonical order.</summary>
    public IReadOnlyList<LoraAdapterScale> Adapters { get; }

    /// <summary>True when no adapter is active.</summary>
    public bool IsEmpty => Adapters.Count == 0;

    /// <summary>Identity of the set: equal for the same adapters with the same scales.</summary>
    public string Key { get; }

    /// <inheritdoc />
    public override string ToString() => IsEmpty ? "(base)" : string.Join(", ", Adapters.Select(a => $"{a.Adapter}×{a.Scale.ToString(CultureInfo.InvariantCulture)}"));
}
