using System.Runtime.InteropServices;
using Rag.Model.Gguf;
using Rag.Model.Native;

namespace Rag.Model.Tests.Gguf;

/// <summary>The managed dequantizer against ggml's own quantize and dequantize functions (libggml-base), bit for bit.</summary>
public unsafe class DequantizeTests
{
    public static TheoryData<GgmlType> Types => new()
    {
        GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0,
        GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.F16, GgmlType.BF16,
    };

    private static IntPtr GgmlBase()
    {
        var info = LlamaBackend.Initialize();
        return NativeLibrary.Load(Path.Combine(info.NativeDirectory, LlamaBackend.GgmlBaseFileName));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Managed_dequantization_equals_ggml_bit_for_bit(GgmlType type)
    {
        var lib = GgmlBase();
        // size_t ggml_quantize_chunk(type, const float * src, void * dst, int64_t start, int64_t nrows, int64_t n_per_row, const float * imatrix)
        var quantize = (delegate* unmanaged<int, float*, byte*, long, long, long, float*, nuint>)NativeLibrary.GetExport(lib, "ggml_quantize_chunk");
        const int rows = 3, perRow = 512;
        var rng = new Random(5);
        var src = new float[rows * perRow];
        for (var i = 0; i < src.Length; i++)
        {
            src[i] = (float)((rng.NextDouble() - 0.5) * (i % 7 == 0 ? 8 : 1));
        }

        var info = new GgufTensorInfo("t", [perRow, rows], type, 0);
        var bytes = new byte[info.ByteSize];
        fixed (float* s = src)
        fixed (byte* d = bytes)
        {
            var written = quantize((int)type, s, d, 0, rows, perRow, null);
            Assert.Equal((nuint)bytes.Length, written);
        }

        var expected = new float[src.Length];
        var name = type switch { GgmlType.F16 => "ggml_fp16_to_fp32_row", GgmlType.BF16 => "ggml_bf16_to_fp32_row", _ => "dequantize_row_" + type.ToString().ToLowerInvariant().Replace("_k", "_K", StringComparison.Ordinal) };
        var dequantize = (delegate* unmanaged<byte*, float*, long, void>)NativeLibrary.GetExport(lib, name);
        fixed (byte* q = bytes)
        fixed (float* y = expected)
        {
            dequantize(q, y, expected.Length);
        }

        // the same bytes through a GGUF file and the reader
        var ms = new MemoryStream();
        using (var w = new GgufWriter(ms, leaveOpen: true))
        {
            w.AddTensor("t", [perRow, rows], type);
            w.WriteHeader();
            w.WriteTensorData(bytes);
            w.Complete();
        }

        ms.Position = 0;
        using var r = GgufReader.Read(ms);
        Assert.True(GgufReader.CanReadAsFloats(type));
        var actual = r.ReadTensorFloats(r.Tensors[0]);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
        Assert.True(expected.Zip(src).Max(p => Math.Abs(p.First - p.Second)) < 1.5f, "ggml's round trip is close to the source");

        // a part starting at the second row (64-bit offsets, block aligned)
        var part = new float[perRow];
        r.ReadTensorFloats(r.Tensors[0], perRow, part);
        Assert.Equal(expected.AsSpan(perRow, perRow).ToArray(), part);
    }

    [Fact]
    public void Unsupported_type_and_unaligned_reads_are_refused()
    {
        var ms = new MemoryStream();
        using (var w = new GgufWriter(ms, leaveOpen: true))
        {
            w.AddTensor("iq", [256], GgmlType.IQ2_XXS);
            w.AddTensor("q8", [64], GgmlType.Q8_0);
            w.WriteHeader();
            w.WriteTensorData(new byte[66 + 68]);
            w.Complete();
        }

        ms.Position = 0;
        using var r = GgufReader.Read(ms);
        Assert.False(GgufReader.CanReadAsFloats(GgmlType.IQ2_XXS));
        var e = Assert.Throws<NotSupportedException>(() => r.ReadTensorFloats(r.Tensors[0]));
        Assert.Contains("IQ2_XXS", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => r.ReadTensorFloats(r.Tensors[1], 16, new float[32]));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.ReadTensorFloats(r.Tensors[1], 64, new float[32]));
    }
}
