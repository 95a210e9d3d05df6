namespace Rag.Model.Gguf.Internal;

/// <summary>Block geometry of each ggml type, so that tensor byte sizes can be computed without the native library.</summary>
internal static class GgmlTypeTraits
{
    private const int QK_K = 256;

    // (elements per block, bytes per block); values mirror ggml's type_traits table of the pinned release.
    private static readonly Dictionary<GgmlType, (int Block, int Bytes)> Sizes = new()
    {
        [GgmlType.F32] = (1, 4),
        [GgmlType.F16] = (1, 2),
        [GgmlType.Q4_0] = (32, 2 + 16),
        [GgmlType.Q4_1] = (32, 2 + 2 + 16),
        [GgmlType.Q5_0] = (32, 2 + 4 + 16),
        [GgmlType.Q5_1] = (32, 2 + 2 + 4 + 16),
        [GgmlType.Q8_0] = (32, 2 + 32),
        [GgmlType.Q8_1] = (32, 2 + 2 + 32),
        [GgmlType.Q2_K] = (QK_K, 2 + 2 + QK_K / 16 + QK_K / 4),
        [GgmlType.Q3_K] = (QK_K, 2 + QK_K / 4 + QK_K / 8 + 12),
        [GgmlType.Q4_K] = (QK_K, 2 + 2 + QK_K / 2 + 12),
        [GgmlType.Q5_K] = (QK_K, 2 + 2 + QK_K / 2 + QK_K / 8 + 12),
        [GgmlType.Q6_K] = (QK_K, 2 + QK_K / 2 + QK_K / 4 + QK_K / 16),
        [GgmlType.Q8_K] = (QK_K, 4 + QK_K + QK_K / 8),
        [GgmlType.IQ2_XXS] = (QK_K, 2 + QK_K / 4),
        [GgmlType.IQ2_XS] = (QK_K, 2 + QK_K / 4 + QK_K / 32),
        [GgmlType.IQ3_XXS] = (QK_K, 2 + QK_K / 4 + QK_K / 8),
        [GgmlType.IQ1_S] = (QK_K, 2 + QK_K / 8 + QK_K / 16),
        [GgmlType.IQ4_NL] = (32, 2 + 16),
        [GgmlType.IQ3_S] = (QK_K, 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4),
        [GgmlType.IQ2_S] = (QK_K, 2 + QK_K / 4 + QK_K / 16),
        [GgmlType.IQ4_XS] = (QK_K, 2 + 2 + QK_K / 2 + QK_K / 64),
        [GgmlType.I8] = (1, 1),
        [GgmlType.I16] = (1, 2),
        [GgmlType.I32] = (1, 4),
        [GgmlType.I64] = (1, 8),
        [GgmlType.F64] = (1, 8),
        [GgmlType.IQ1_M] = (QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32),
        [GgmlType.BF16] = (1, 2),
        [GgmlType.TQ1_0] = (QK_K, 2 + 4 * 13),
        [GgmlType.TQ2_0] = (QK_K, 2 + 64),
        [GgmlType.MXFP4] = (32, 1 + 16),
        [GgmlType.NVFP4] = (64, 4 + 32),
        [GgmlType.Q1_0] = (128, 2 + 16),
        [GgmlType.Q2_0] = (64, 2 + 16),
    };

    public static bool IsKnown(GgmlType type) => Sizes.ContainsKey(type);

    public static int BlockSize(GgmlType type) => Sizes[type].Block;

    public static int BlockBytes(GgmlType type) => Sizes[type].Bytes;

    /// <summary>Bytes taken by a tensor, or -1 when the first dimension is not a whole number of blocks or the size overflows.</summary>
    public static long ByteSize(GgmlType type, ReadOnlySpan<long> dims)
    {
        var (block, bytes) = Sizes[type];
        if (dims.Length == 0 || dims[0] % block != 0)
        {
            return -1;
        }

        try
        {
            long rows = 1;
            for (var i = 1; i < dims.Length; i++)
            {
                rows = checked(rows * dims[i]);
            }

            return checked(dims[0] / block * bytes * rows);
        }
        catch (OverflowException)
        {
            return -1;
        }
    }
}
