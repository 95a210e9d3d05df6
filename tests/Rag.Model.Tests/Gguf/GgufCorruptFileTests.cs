using System.Buffers.Binary;
using Rag.Model.Gguf;

namespace Rag.Model.Tests.Gguf;

public class GgufCorruptFileTests
{
    private static GgufFormatException Fails(byte[] bytes) =>
        Assert.Throws<GgufFormatException>(() => GgufReader.Read(new MemoryStream(bytes)).Dispose());

    [Fact]
    public void Text_file_is_not_gguf()
    {
        var e = Fails("hello world, this is not a model"u8.ToArray());
        Assert.Equal(GgufFormatError.NotGguf, e.Error);
        Assert.Contains("not a GGUF file", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Empty_file_is_not_gguf() => Assert.Equal(GgufFormatError.NotGguf, Fails([]).Error);

    [Fact]
    public void Open_names_the_file_in_the_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rag-notgguf-{Guid.NewGuid():N}.gguf");
        File.WriteAllText(path, "PK\u0003\u0004 zip, not gguf");
        try
        {
            var e = Assert.Throws<GgufFormatException>(() => GgufReader.Open(path));
            Assert.Equal(path, e.Path);
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(1u, "obsolete")]
    [InlineData(4u, "expected 2 or 3")]
    [InlineData(0x03000000u, "big-endian")]
    public void Unsupported_versions_are_named(uint version, string hint)
    {
        var bytes = GgufRoundTripTests.WriteSample();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), version);
        var e = Fails(bytes);
        Assert.Equal(GgufFormatError.UnsupportedVersion, e.Error);
        Assert.Contains(hint, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_of_a_valid_file_throws_a_format_exception()
    {
        var bytes = GgufRoundTripTests.WriteSample();
        long dataEnd;
        using (var whole = GgufReader.Read(new MemoryStream(bytes)))
        {
            dataEnd = whole.Tensors.Max(t => whole.GetAbsoluteOffset(t) + t.ByteSize);
        }

        // the last tensor's alignment padding is optional, so a cut inside it still leaves a valid file
        Assert.True(dataEnd < bytes.Length);
        using (var padless = GgufReader.Read(new MemoryStream(bytes[..(int)dataEnd])))
        {
            Assert.Equal(4, padless.Tensors.Count);
        }

        for (var length = 0; length < dataEnd; length++)
        {
            var e = Fails(bytes[..length]);
            Assert.True(length < 4 ? e.Error == GgufFormatError.NotGguf : e.Error is GgufFormatError.Truncated or GgufFormatError.BadTensorOffset,
                $"cut at {length}: {e.Error} {e.Message}");
        }
    }

    [Fact]
    public void Truncated_real_model_reports_truncation()
    {
        var bytes = File.ReadAllBytes(TestModels.Stories260K);
        string lastTensor;
        using (var whole = GgufReader.Read(new MemoryStream(bytes)))
        {
            lastTensor = whole.Tensors.MaxBy(t => t.Offset)!.Name;
        }

        var e = Fails(bytes[..(bytes.Length - 100)]);
        Assert.Equal(GgufFormatError.Truncated, e.Error);
        Assert.Contains($"'{lastTensor}'", e.Message, StringComparison.Ordinal); // the tensor cut short is named
    }

    [Fact]
    public void Huge_array_count_fails_before_allocating()
    {
        var bytes = GgufRoundTripTests.WriteSample();
        var at = IndexOf(bytes, "strings"u8) + "strings".Length + 4 + 4; // key, value type, element type, then the count
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), 1UL << 40);
        var e = Fails(bytes);
        Assert.Equal(GgufFormatError.Truncated, e.Error);
        Assert.Contains("'strings'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_value_type_is_invalid_metadata()
    {
        var bytes = GgufRoundTripTests.WriteSample();
        var at = IndexOf(bytes, "u8"u8) + 2;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), 77);
        var e = Fails(bytes);
        Assert.Equal(GgufFormatError.InvalidMetadata, e.Error);
        Assert.Contains("'u8'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_key_is_invalid_metadata()
    {
        var bytes = GgufRoundTripTests.WriteSample();
        var at = IndexOf(bytes, "i16"u8);
        "u16"u8.CopyTo(bytes.AsSpan(at));
        Assert.Equal(GgufFormatError.InvalidMetadata, Fails(bytes).Error);
    }

    [Fact]
    public void Misaligned_and_out_of_range_tensor_offsets_are_bad_offsets()
    {
        var bytes = GgufRoundTripTests.WriteSample();
        var offsetAt = TensorOffsetPosition(bytes, "q8");

        var misaligned = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(misaligned.AsSpan(offsetAt), BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offsetAt)) + 4);
        var e1 = Fails(misaligned);
        Assert.Equal(GgufFormatError.BadTensorOffset, e1.Error);
        Assert.Contains("alignment", e1.Message, StringComparison.Ordinal);

        var far = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(far.AsSpan(offsetAt), 1UL << 50);
        var e2 = Fails(far);
        Assert.Equal(GgufFormatError.BadTensorOffset, e2.Error);
        Assert.Contains("'q8'", e2.Message, StringComparison.Ordinal);

        var overlap = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(overlap.AsSpan(offsetAt), 0);
        Assert.Contains("overlaps", Fails(overlap).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_tensor_type_and_dimensions_are_invalid_tensor_info()
    {
        var bytes = GgufRoundTripTests.WriteSample();
        var offsetAt = TensorOffsetPosition(bytes, "q8");
        var typeAt = offsetAt - 4;
        var badType = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(badType.AsSpan(typeAt), 4); // Q4_2, removed from ggml
        Assert.Equal(GgufFormatError.InvalidTensorInfo, Fails(badType).Error);

        var badRow = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(badRow.AsSpan(typeAt - 16), 63); // ne0 not a multiple of Q8_0's 32
        Assert.Contains("multiple of 32", Fails(badRow).Message, StringComparison.Ordinal);

        var badDims = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(badDims.AsSpan(typeAt - 20), 9);
        Assert.Equal(GgufFormatError.InvalidTensorInfo, Fails(badDims).Error);
    }

    [Fact]
    public void Random_corruption_never_escapes_as_another_exception_type()
    {
        var original = GgufRoundTripTests.WriteSample();
        var rng = new Random(1234);
        var headerLength = 600;
        for (var trial = 0; trial < 2000; trial++)
        {
            var bytes = (byte[])original.Clone();
            var flips = rng.Next(1, 4);
            for (var f = 0; f < flips; f++)
            {
                bytes[rng.Next(4, headerLength)] = (byte)rng.Next(256);
            }

            try
            {
                using var r = GgufReader.Read(new MemoryStream(bytes));
                foreach (var t in r.Tensors)
                {
                    Assert.Equal(t.ByteSize, r.ReadTensorBytes(t).Length);
                }
            }
            catch (GgufFormatException)
            {
                // expected for most corruptions
            }
        }
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle)
    {
        var i = haystack.AsSpan().IndexOf(needle);
        Assert.True(i >= 0);
        return i;
    }

    // Tensor info layout: u64 name length, name, u32 n_dims, u64 dims[n], u32 type, u64 offset.
    private static int TensorOffsetPosition(byte[] bytes, string name)
    {
        var nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
        var search = new byte[8 + nameBytes.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(search, (ulong)nameBytes.Length);
        nameBytes.CopyTo(search, 8);
        var at = IndexOf(bytes, search) + search.Length;
        var nDims = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at));
        return at + 4 + (8 * nDims) + 4;
    }
}
