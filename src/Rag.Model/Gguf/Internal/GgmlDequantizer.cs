using System.Buffers.Binary;

namespace Rag.Model.Gguf.Internal;

/// <summary>
/// Converts ggml blocks to floats, bit for bit as ggml's reference <c>dequantize_row_*</c> functions
/// (<c>ggml/src/ggml-quants.c</c> of the pinned release) do it. Tested against the native functions.
/// </summary>
internal static class GgmlDequantizer
{
    private const int QK = 32;
    private const int QK_K = 256;

    public static bool CanDequantize(GgmlType type) => type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16
        or GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1 or GgmlType.Q8_0
        or GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K;

    /// <summary>Dequantizes whole blocks: <paramref name="dst"/>.Length elements from the matching bytes of <paramref name="src"/>.</summary>
    public static void Dequantize(GgmlType type, ReadOnlySpan<byte> src, Span<float> dst)
    {
        var block = GgmlTypeTraits.BlockSize(type);
        var bytes = GgmlTypeTraits.BlockBytes(type);
        if (dst.Length % block != 0 || src.Length < dst.Length / block * bytes)
        {
            throw new ArgumentException($"{dst.Length} {type} values need whole blocks of {block} ({dst.Length / block * bytes} bytes); {src.Length} bytes were given.");
        }

        var n = dst.Length / block;
        for (var b = 0; b < n; b++)
        {
            var s = src.Slice(b * bytes, bytes);
            var y = dst.Slice(b * block, block);
            switch (type)
            {
                case GgmlType.F32: y[0] = BinaryPrimitives.ReadSingleLittleEndian(s); break;
                case GgmlType.F16: y[0] = (float)BinaryPrimitives.ReadHalfLittleEndian(s); break;
                case GgmlType.BF16: y[0] = BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(s) << 16); break;
                case GgmlType.Q4_0: Q4_0(s, y); break;
                case GgmlType.Q4_1: Q4_1(s, y); break;
                case GgmlType.Q5_0: Q5_0(s, y); break;
                case GgmlType.Q5_1: Q5_1(s, y); break;
                case GgmlType.Q8_0: Q8_0(s, y); break;
                case GgmlType.Q2_K: Q2_K(s, y); break;
                case GgmlType.Q3_K: Q3_K(s, y); break;
                case GgmlType.Q4_K: Q4_K(s, y); break;
                case GgmlType.Q5_K: Q5_K(s, y); break;
                case GgmlType.Q6_K: Q6_K(s, y); break;
                default: throw new NotSupportedException($"Dequantizing {type} is not supported.");
            }
        }
    }

    private static float Half(ReadOnlySpan<byte> s, int at) => (float)BinaryPrimitives.ReadHalfLittleEndian(s[at..]);

    private static void Q4_0(ReadOnlySpan<byte> s, Span<float> y)
    {
        var d = Half(s, 0);
        var qs = s.Slice(2, QK / 2);
        for (var j = 0; j < QK / 2; j++)
        {
            y[j] = ((qs[j] & 0x0F) - 8) * d;
            y[j + QK / 2] = ((qs[j] >> 4) - 8) * d;
        }
    }

    private static void Q4_1(ReadOnlySpan<byte> s, Span<float> y)
    {
        var d = Half(s, 0);
        var m = Half(s, 2);
        var qs = s.Slice(4, QK / 2);
        for (var j = 0; j < QK / 2; j++)
        {
            y[j] = ((qs[j] & 0x0F) * d) + m;
            y[j + QK / 2] = ((qs[j] >> 4) * d) + m;
        }
    }

    private static void Q5_0(ReadOnlySpan<byte> s, Span<float> y)
    {
        var d = Half(s, 0);
        var qh = BinaryPrimitives.ReadUInt32LittleEndian(s[2..]);
        var qs = s.Slice(6, QK / 2);
        for (var j = 0; j < QK / 2; j++)
        {
            var xh0 = (int)(((qh >> j) << 4) & 0x10);
            var xh1 = (int)((qh >> (j + 12)) & 0x10);
            y[j] = (((qs[j] & 0x0F) | xh0) - 16) * d;
            y[j + QK / 2] = (((qs[j] >> 4) | xh1) - 16) * d;
        }
    }

    private static void Q5_1(ReadOnlySpan<byte> s, Span<float> y)
    {
        var d = Half(s, 0);
        var m = Half(s, 2);
        var qh = BinaryPrimitives.ReadUInt32LittleEndian(s[4..]);
        var qs = s.Slice(8, QK / 2);
        for (var j = 0; j < QK / 2; j++)
        {
            var xh0 = (int)(((qh >> j) << 4) & 0x10);
            var xh1 = (int)((qh >> (j + 12)) & 0x10);
            y[j] = (((qs[j] & 0x0F) | xh0) * d) + m;
            y[j + QK / 2] = (((qs[j] >> 4) | xh1) * d) + m;
        }
    }

    private static void Q8_0(ReadOnlySpan<byte> s, Span<float> y)
    {
        var d = Half(s, 0);
        for (var j = 0; j < QK; j++)
        {
            y[j] = (sbyte)s[2 + j] * d;
        }
    }

    // block_q2_K: scales[16], qs[64], d, dmin
    private static void Q2_K(ReadOnlySpan<byte> s, Span<float> y)
    {
        var scales = s[..16];
        var q = s.Slice(16, 64);
        var d = Half(s, 80);
        var min = Half(s, 82);
        var o = 0;
        var isc = 0;
        for (var n = 0; n < QK_K; n += 128)
        {
            var shift = 0;
            for (var j = 0; j < 4; j++)
            {
                int sc = scales[isc++];
                float dl = d * (sc & 0xF), ml = min * (sc >> 4);
                for (var l = 0; l < 16; l++)
                {
                    y[o++] = (dl * ((q[l] >> shift) & 3)) - ml;
                }

                sc = scales[isc++];
                dl = d * (sc & 0xF);
                ml = min * (sc >> 4);
                for (var l = 0; l < 16; l++)
                {
                    y[o++] = (dl * ((q[l + 16] >> shift) & 3)) - ml;
                }

                shift += 2;
            }

            q = q[32..];
        }
    }

    // block_q3_K: hmask[32], qs[64], scales[12], d
    private static void Q3_K(ReadOnlySpan<byte> s, Span<float> y)
    {
        const uint kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f;
        var hm = s[..32];
        var q = s.Slice(32, 64);
        var dAll = Half(s, 108);
        Span<uint> aux = stackalloc uint[4];
        aux[0] = BinaryPrimitives.ReadUInt32LittleEndian(s[96..]);
        aux[1] = BinaryPrimitives.ReadUInt32LittleEndian(s[100..]);
        aux[2] = BinaryPrimitives.ReadUInt32LittleEndian(s[104..]);
        var tmp = aux[2];
        aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
        aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
        aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
        aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
        Span<sbyte> scales = stackalloc sbyte[16];
        for (var i = 0; i < 16; i++)
        {
            scales[i] = unchecked((sbyte)(byte)(aux[i / 4] >> (8 * (i % 4))));
        }

        var o = 0;
        var isc = 0;
        var m = 1;
        for (var n = 0; n < QK_K; n += 128)
        {
            var shift = 0;
            for (var j = 0; j < 4; j++)
            {
                var dl = dAll * (scales[isc++] - 32);
                for (var l = 0; l < 16; l++)
                {
                    y[o++] = dl * (((q[l] >> shift) & 3) - ((hm[l] & m) != 0 ? 0 : 4));
                }

                dl = dAll * (scales[isc++] - 32);
                for (var l = 0; l < 16; l++)
                {
                    y[o++] = dl * (((q[l + 16] >> shift) & 3) - ((hm[l + 16] & m) != 0 ? 0 : 4));
                }

                shift += 2;
                m <<= 1;
            }

            q = q[32..];
        }
    }

    private static void ScaleMinK4(int j, ReadOnlySpan<byte> q, out int d, out int m)
    {
        if (j < 4)
        {
            d = q[j] & 63;
            m = q[j + 4] & 63;
        }
        else
        {
            d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
            m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
        }
    }

    // block_q4_K: d, dmin, scales[12], qs[128]
    private static void Q4_K(ReadOnlySpan<byte> s, Span<float> y)
    {
        var d = Half(s, 0);
        var min = Half(s, 2);
        var scales = s.Slice(4, 12);
        var q = s.Slice(16, 128);
        var o = 0;
        var isc = 0;
        for (var j = 0; j < QK_K; j += 64)
        {
            ScaleMinK4(isc, scales, out var sc, out var mm);
            float d1 = d * sc, m1 = min * mm;
            ScaleMinK4(isc + 1, scales, out sc, out mm);
            float d2 = d * sc, m2 = min * mm;
            for (var l = 0; l < 32; l++)
            {
                y[o++] = (d1 * (q[l] & 0xF)) - m1;
            }

            for (var l = 0; l < 32; l++)
            {
                y[o++] = (d2 * (q[l] >> 4)) - m2;
            }

            q = q[32..];
            isc += 2;
        }
    }

    // block_q5_K: d, dmin, scales[12], qh[32], qs[128]
    private static void Q5_K(ReadOnlySpan<byte> s, Span<float> y)
    {
        var d = Half(s, 0);
        var min = Half(s, 2);
        var scales = s.Slice(4, 12);
        var qh = s.Slice(16, 32);
        var ql = s.Slice(48, 128);
        var o = 0;
        var isc = 0;
        int u1 = 1, u2 = 2;
        for (var j = 0; j < QK_K; j += 64)
        {
            ScaleMinK4(isc, scales, out var sc, out var mm);
            float d1 = d * sc, m1 = min * mm;
            ScaleMinK4(isc + 1, scales, out sc, out mm);
            float d2 = d * sc, m2 = min * mm;
            for (var l = 0; l < 32; l++)
            {
                y[o++] = (d1 * ((ql[l] & 0xF) + ((qh[l] & u1) != 0 ? 16 : 0))) - m1;
            }

            for (var l = 0; l < 32; l++)
            {
                y[o++] = (d2 * ((ql[l] >> 4) + ((qh[l] & u2) != 0 ? 16 : 0))) - m2;
            }

            ql = ql[32..];
            isc += 2;
            u1 <<= 2;
            u2 <<= 2;
        }
    }

    // block_q6_K: ql[128], qh[64], scales[16] (int8), d
    private static void Q6_K(ReadOnlySpan<byte> s, Span<float> y)
    {
        var ql = s[..128];
        var qh = s.Slice(128, 64);
        var sc = s.Slice(192, 16);
        var d = Half(s, 208);
        var o = 0;
        for (var n = 0; n < QK_K; n += 128)
        {
            for (var l = 0; l < 32; l++)
            {
                var isc = l / 16;
                var q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                var q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                var q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                var q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[o + l] = d * (sbyte)sc[isc] * q1;
                y[o + l + 32] = d * (sbyte)sc[isc + 2] * q2;
                y[o + l + 64] = d * (sbyte)sc[isc + 4] * q3;
                y[o + l + 96] = d * (sbyte)sc[isc + 6] * q4;
            }

            o += 128;
            ql = ql[64..];
            qh = qh[32..];
            sc = sc[8..];
        }
    }
}
