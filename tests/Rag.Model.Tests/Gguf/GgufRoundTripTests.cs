using System.Buffers.Binary;
using Rag.Model.Gguf;

namespace Rag.Model.Tests.Gguf;

public class GgufRoundTripTests
{
    internal static byte[] WriteSample(int alignment = 32)
    {
        using var ms = new MemoryStream();
        using (var w = new GgufWriter(ms, alignment, leaveOpen: true))
        {
            w.SetString("general.architecture", "test");
            w.SetValue("u8", GgufValue.FromUInt8(200));
            w.SetValue("i8", GgufValue.FromInt8(-100));
            w.SetValue("u16", GgufValue.FromUInt16(60000));
            w.SetValue("i16", GgufValue.FromInt16(-30000));
            w.SetUInt32("u32", 4_000_000_000);
            w.SetInt32("i32", -2_000_000_000);
            w.SetValue("u64", GgufValue.FromUInt64(ulong.MaxValue - 1));
            w.SetValue("i64", GgufValue.FromInt64(long.MinValue + 1));
            w.SetFloat32("f32", 3.25f);
            w.SetValue("f64", GgufValue.FromFloat64(-1e300));
            w.SetBool("bool", true);
            w.SetString("unicode", "héllo ▁ wörld 你好");
            w.SetStringArray("strings", ["", "a", "▁the", "<0x0A>", "多"]);
            w.SetArray("floats", new[] { 1.5f, -2f, float.Epsilon });
            w.SetArray("ints", new[] { 1, -1, int.MaxValue });
            w.SetArray("bools", new[] { true, false });
            w.SetArray("u64s", new[] { 0UL, ulong.MaxValue });
            w.SetArray("bytes", new byte[] { 0, 255 });

            w.AddTensor("f32", [3, 2], GgmlType.F32);
            w.AddTensor("f16", [5], GgmlType.F16);
            w.AddTensor("bf16", [4, 1, 2], GgmlType.BF16);
            w.AddTensor("q8", [32, 2], GgmlType.Q8_0);
            w.WriteHeader();

            // chunks deliberately straddle tensor boundaries of equal type and split a tensor
            w.WriteTensorFloats([1f, 2f, 3f]);
            w.WriteTensorFloats([4f, 5f, 6f]);
            w.WriteTensorFloats([0.5f, -0.25f, 1024f, 65504f, 1e-3f]);
            w.WriteTensorFloats([1f, 2f, 3f, 4f, -1f, -2f, -3f, 3.140625f]);
            w.WriteTensorData(Enumerable.Range(0, 68).Select(i => (byte)i).ToArray());
            w.Complete();
        }

        return ms.ToArray();
    }

    [Fact]
    public void Every_metadata_type_round_trips()
    {
        using var r = GgufReader.Read(new MemoryStream(WriteSample()));
        Assert.Equal(3u, r.Version);
        Assert.Equal((byte)200, r["u8"].RawValue);
        Assert.Equal((sbyte)-100, r["i8"].RawValue);
        Assert.Equal((ushort)60000, r["u16"].RawValue);
        Assert.Equal((short)-30000, r["i16"].RawValue);
        Assert.Equal(4_000_000_000u, r["u32"].RawValue);
        Assert.Equal(-2_000_000_000, r["i32"].RawValue);
        Assert.Equal(ulong.MaxValue - 1, r["u64"].RawValue);
        Assert.Equal(long.MinValue + 1, r["i64"].AsInt64());
        Assert.Equal(3.25, r["f32"].AsDouble());
        Assert.Equal(-1e300, r["f64"].AsDouble());
        Assert.True(r["bool"].AsBool());
        Assert.Equal("héllo ▁ wörld 你好", r.GetString("unicode"));
        Assert.Equal(["", "a", "▁the", "<0x0A>", "多"], r["strings"].AsStringArray());
        Assert.Equal(GgufValueType.String, r["strings"].ElementType);
        Assert.Equal([1.5f, -2f, float.Epsilon], r["floats"].AsArray<float>());
        Assert.Equal([1, -1, int.MaxValue], r["ints"].AsArray<int>());
        Assert.Equal([true, false], r["bools"].AsArray<bool>());
        Assert.Equal([0UL, ulong.MaxValue], r["u64s"].AsArray<ulong>());
        Assert.Equal(new byte[] { 0, 255 }, r["bytes"].AsArray<byte>());
        Assert.Equal(
            ["general.architecture", "u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32", "f64", "bool", "unicode", "strings", "floats", "ints", "bools", "u64s", "bytes"],
            r.Metadata.Select(kv => kv.Key));
        Assert.Throws<InvalidOperationException>(() => r["u32"].AsString());
        Assert.Throws<KeyNotFoundException>(() => r["missing"]);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(4096)]
    public void Tensors_round_trip_with_aligned_offsets(int alignment)
    {
        using var r = GgufReader.Read(new MemoryStream(WriteSample(alignment)));
        Assert.Equal(alignment, r.Alignment);
        Assert.Equal(alignment != 32, r.ContainsKey(GgufReader.AlignmentKey));
        Assert.Equal(0, r.DataOffset % alignment);
        Assert.All(r.Tensors, t => Assert.Equal(0UL, t.Offset % (ulong)alignment));
        Assert.Equal(["f32", "f16", "bf16", "q8"], r.Tensors.Select(t => t.Name));

        var f32 = r.FindTensor("f32")!;
        Assert.Equal(new long[] { 3, 2 }, f32.Dimensions);
        Assert.Equal(24, f32.ByteSize);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], r.ReadTensorFloats(f32));
        Assert.Equal([0.5f, -0.25f, 1024f, 65504f, (float)(Half)1e-3f], r.ReadTensorFloats(r.FindTensor("f16")!));
        Assert.Equal([1f, 2f, 3f, 4f, -1f, -2f, -3f, 3.140625f], r.ReadTensorFloats(r.FindTensor("bf16")!));
        var q8 = r.FindTensor("q8")!;
        Assert.Equal(2 * 34, q8.ByteSize);
        Assert.Equal(Enumerable.Range(0, 68).Select(i => (byte)i), r.ReadTensorBytes(q8));
        // Q8_0 dequantizes: each 34-byte block is an F16 scale, then 32 signed bytes.
        var expected = Enumerable.Range(0, 2).SelectMany(block =>
        {
            var scale = (float)BitConverter.UInt16BitsToHalf((ushort)((block * 34) | ((block * 34 + 1) << 8)));
            return Enumerable.Range(0, 32).Select(i => scale * (sbyte)(byte)(block * 34 + 2 + i));
        });
        Assert.Equal(expected, r.ReadTensorFloats(q8));
        Assert.True(r.GetAbsoluteOffset(q8) + q8.ByteSize <= r.FileLength);
    }

    [Fact]
    public void Version_2_files_have_the_same_layout_and_are_read()
    {
        var bytes = WriteSample();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 2);
        using var r = GgufReader.Read(new MemoryStream(bytes));
        Assert.Equal(2u, r.Version);
        Assert.Equal(4, r.Tensors.Count);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], r.ReadTensorFloats(r.FindTensor("f32")!));
    }

    [Fact]
    public void Disposed_reader_refuses_reads()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rag-dispose-{Guid.NewGuid():N}.gguf");
        File.WriteAllBytes(path, WriteSample());
        try
        {
            var r = GgufReader.Open(path);
            var t = r.Tensors[0];
            Assert.Equal(t.ByteSize, r.ReadTensorBytes(t).Length);
            r.Dispose();
            r.Dispose(); // idempotent
            Assert.Throws<ObjectDisposedException>(() => r.ReadTensorBytes(t));
            File.Delete(path); // the file handle is released
            Assert.False(File.Exists(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Concurrent_tensor_reads_return_the_right_bytes()
    {
        using var r = GgufReader.Read(new MemoryStream(WriteSample()));
        var expected = r.Tensors.ToDictionary(t => t.Name, r.ReadTensorBytes);
        Parallel.For(0, 400, i =>
        {
            var t = r.Tensors[i % r.Tensors.Count];
            Assert.Equal(expected[t.Name], r.ReadTensorBytes(t));
        });
    }

    [Fact]
    public void File_without_tensors_has_data_offset_at_header_end()
    {
        using var ms = new MemoryStream();
        using (var w = new GgufWriter(ms, leaveOpen: true))
        {
            w.SetString("general.type", "vocab");
            w.Complete();
        }

        using var r = GgufReader.Read(new MemoryStream(ms.ToArray()));
        Assert.Empty(r.Tensors);
        Assert.Equal(ms.Length, r.DataOffset);
    }

    [Fact]
    public void Writer_rejects_misuse_with_specific_errors()
    {
        using var w = new GgufWriter(new MemoryStream());
        Assert.Throws<ArgumentException>(() => w.AddTensor("q4k", [576, 2], GgmlType.Q4_K)); // 576 is not a multiple of 256
        Assert.Throws<ArgumentException>(() => w.AddTensor("zero", [0], GgmlType.F32));
        Assert.Throws<ArgumentException>(() => w.AddTensor("five", [1, 1, 1, 1, 1], GgmlType.F32));
        Assert.Throws<ArgumentException>(() => w.AddTensor(new string('n', 64), [1], GgmlType.F32));
        Assert.Throws<InvalidOperationException>(() => w.WriteTensorData([1]));
        w.AddTensor("a", [2], GgmlType.F32);
        Assert.Throws<ArgumentException>(() => w.AddTensor("a", [2], GgmlType.F32));
        w.WriteHeader();
        Assert.Throws<InvalidOperationException>(() => w.SetString("late", "x"));
        w.WriteTensorFloats([1f]);
        var incomplete = Assert.Throws<InvalidOperationException>(w.Complete);
        Assert.Contains("'a'", incomplete.Message, StringComparison.Ordinal);
        w.WriteTensorFloats([2f]);
        Assert.Throws<InvalidOperationException>(() => w.WriteTensorFloats([3f]));
        w.Complete();
    }

    [Fact]
    public void Written_header_matches_the_spec_layout()
    {
        var bytes = WriteSample();
        Assert.Equal("GGUF"u8.ToArray(), bytes[..4]);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(4UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)));   // tensors
        Assert.Equal(19UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16))); // key-values
        // first key: u64 length 20 + "general.architecture" + type 8 (string)
        Assert.Equal(20UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(24)));
        Assert.Equal("general.architecture"u8.ToArray(), bytes[32..52]);
        Assert.Equal(8u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(52)));
    }
}
