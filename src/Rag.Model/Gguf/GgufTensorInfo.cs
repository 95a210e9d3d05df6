using Rag.Model.Gguf.Internal;

namespace Rag.Model.Gguf;

/// <summary>Describes one tensor of a GGUF file: name, shape in ggml order (fastest-varying first), type and data location.</summary>
/// <param name="Name">The tensor name, e.g. <c>blk.0.attn_q.weight</c>.</param>
/// <param name="Dimensions">The shape in ggml order: <c>Dimensions[0]</c> is the row length (ne0).</param>
/// <param name="Type">The element type.</param>
/// <param name="Offset">Offset of the data relative to the start of the data section.</param>
public sealed record GgufTensorInfo(string Name, IReadOnlyList<long> Dimensions, GgmlType Type, ulong Offset)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Dimensions.Aggregate(1L, (a, d) => a * d);

    /// <summary>Number of bytes the data takes in the file (without alignment padding).</summary>
    public long ByteSize => GgmlTypeTraits.ByteSize(Type, Dimensions.ToArray());

    /// <summary>Renders the shape as <c>[576, 32000]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Dimensions) + "]";
}
