using System.Buffers.Binary;
using System.Numerics;
using Rag.Model.Gguf.Internal;

namespace Rag.Model.Gguf;

/// <summary>
/// Reads a GGUF file (versions 2 and 3): metadata, tensor descriptions and tensor data.
/// The header is parsed eagerly and every length and offset is checked against the file size, so a corrupt
/// or truncated file fails here with a <see cref="GgufFormatException"/> instead of deep inside llama.cpp.
/// Tensor data is read on demand from the open stream.
/// </summary>
public sealed class GgufReader : IDisposable
{
    /// <summary>The four bytes every GGUF file starts with.</summary>
    public const uint Magic = 0x46554747; // "GGUF" read as little-endian uint32

    /// <summary>Alignment of the data section and of each tensor's data when <c>general.alignment</c> is absent.</summary>
    public const int DefaultAlignment = 32;

    /// <summary>The metadata key that overrides the alignment.</summary>
    public const string AlignmentKey = "general.alignment";

    private const int MaxDims = 4; // GGML_MAX_DIMS

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly Dictionary<string, GgufValue> _metadata;
    private readonly List<KeyValuePair<string, GgufValue>> _metadataInOrder;
    private readonly List<GgufTensorInfo> _tensors;
    private readonly Dictionary<string, GgufTensorInfo> _tensorsByName;
    private readonly Lock _readLock = new();
    private bool _disposed;

    private GgufReader(Stream stream, bool ownsStream, string? path)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        Path = path;
        var r = new GgufBinaryReader(stream, path);
        FileLength = r.Length;

        if (r.Remaining < 4 || r.ReadUInt32() != Magic)
        {
            throw r.Error(GgufFormatError.NotGguf, "the file does not start with the magic bytes 'GGUF'", 0);
        }

        if (r.Remaining < 4)
        {
            throw r.Error(GgufFormatError.Truncated, "the file ends inside the header");
        }

        Version = r.ReadUInt32();
        if (Version is not (2 or 3))
        {
            var hint = Version == 1 ? " (version 1 used 32-bit counts and is obsolete; reconvert the model)"
                : BinaryPrimitives.ReverseEndianness(Version) is 2 or 3 ? " (this looks like a big-endian GGUF file)" : string.Empty;
            throw r.Error(GgufFormatError.UnsupportedVersion, $"version {Version} is not supported, expected 2 or 3{hint}", 4);
        }

        var tensorCount = r.ReadUInt64();
        var kvCount = r.ReadUInt64();

        // Minimum encoded sizes: a key-value is at least 8 (key length) + 4 (type) + 1 bytes, a tensor info at least 8 + 4 + 8 + 4 + 8.
        if (kvCount > (ulong)r.Remaining / 13)
        {
            throw r.Error(GgufFormatError.Truncated, $"the header declares {kvCount} metadata entries, more than the {r.Remaining} remaining bytes can hold", 16);
        }

        if (tensorCount > (ulong)r.Remaining / 32)
        {
            throw r.Error(GgufFormatError.Truncated, $"the header declares {tensorCount} tensors, more than the {r.Remaining} remaining bytes can hold", 8);
        }

        _metadata = new Dictionary<string, GgufValue>((int)kvCount, StringComparer.Ordinal);
        _metadataInOrder = new List<KeyValuePair<string, GgufValue>>((int)kvCount);
        for (ulong i = 0; i < kvCount; i++)
        {
            var keyAt = r.Position;
            var key = r.ReadString("a metadata key");
            var value = ReadValue(r, key);
            if (!_metadata.TryAdd(key, value))
            {
                throw r.Error(GgufFormatError.InvalidMetadata, $"duplicate metadata key '{key}'", keyAt);
            }

            _metadataInOrder.Add(new(key, value));
        }

        Alignment = DefaultAlignment;
        if (_metadata.TryGetValue(AlignmentKey, out var alignmentValue))
        {
            if (alignmentValue.Type != GgufValueType.UInt32)
            {
                throw r.Error(GgufFormatError.InvalidMetadata, $"'{AlignmentKey}' must be UInt32, found {alignmentValue.Type}");
            }

            var a = (uint)alignmentValue.RawValue;
            if (a == 0 || !BitOperations.IsPow2(a))
            {
                throw r.Error(GgufFormatError.InvalidMetadata, $"'{AlignmentKey}' is {a}, it must be a non-zero power of two");
            }

            Alignment = (int)a;
        }

        _tensors = new List<GgufTensorInfo>((int)tensorCount);
        _tensorsByName = new Dictionary<string, GgufTensorInfo>((int)tensorCount, StringComparer.Ordinal);
        Span<long> dims = stackalloc long[MaxDims];
        for (ulong i = 0; i < tensorCount; i++)
        {
            var infoAt = r.Position;
            var name = r.ReadString($"the name of tensor #{i}");
            var nDims = r.ReadUInt32();
            if (nDims is 0 or > MaxDims)
            {
                throw r.Error(GgufFormatError.InvalidTensorInfo, $"tensor '{name}' has {nDims} dimensions, expected 1 to {MaxDims}", infoAt);
            }

            for (var d = 0; d < nDims; d++)
            {
                var ne = r.ReadUInt64();
                if (ne > long.MaxValue)
                {
                    throw r.Error(GgufFormatError.InvalidTensorInfo, $"tensor '{name}' dimension {d} is {(long)ne}, it must not be negative", infoAt);
                }

                dims[d] = (long)ne;
            }

            var rawType = r.ReadUInt32();
            var type = (GgmlType)rawType;
            if (!GgmlTypeTraits.IsKnown(type))
            {
                throw r.Error(GgufFormatError.InvalidTensorInfo, $"tensor '{name}' has unknown ggml type {rawType}", infoAt);
            }

            var offset = r.ReadUInt64();
            var shape = dims[..(int)nDims].ToArray();
            if (GgmlTypeTraits.ByteSize(type, shape) < 0)
            {
                throw r.Error(GgufFormatError.InvalidTensorInfo,
                    $"tensor '{name}' of type {type} has shape [{string.Join(", ", shape)}]: the row length must be a multiple of {GgmlTypeTraits.BlockSize(type)} and the size must fit in 64 bits",
                    infoAt);
            }

            var info = new GgufTensorInfo(name, shape, type, offset);
            if (!_tensorsByName.TryAdd(name, info))
            {
                throw r.Error(GgufFormatError.InvalidTensorInfo, $"duplicate tensor name '{name}'", infoAt);
            }

            _tensors.Add(info);
        }

        var headerEnd = r.Position;
        DataOffset = _tensors.Count > 0 ? AlignUp(headerEnd, Alignment) : headerEnd;
        ValidateTensorOffsets(r);
    }

    /// <summary>The file path, when opened from a file.</summary>
    public string? Path { get; }

    /// <summary>The GGUF version (2 or 3).</summary>
    public uint Version { get; }

    /// <summary>The alignment of the data section and of every tensor's data.</summary>
    public int Alignment { get; }

    /// <summary>Absolute offset of the data section, where tensor offsets start.</summary>
    public long DataOffset { get; }

    /// <summary>Size of the file in bytes.</summary>
    public long FileLength { get; }

    /// <summary>Metadata keys and values, in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata => _metadataInOrder;

    /// <summary>Tensor descriptions, in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors => _tensors;

    /// <summary>Opens and parses a GGUF file; the file stays open for <see cref="ReadTensorBytes(GgufTensorInfo)"/> until disposed.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="GgufFormatException">The file is not a valid GGUF file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static GgufReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        try
        {
            return new GgufReader(stream, ownsStream: true, path);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Parses a GGUF image from a seekable stream positioned at 0.</summary>
    /// <param name="stream">A readable, seekable stream.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves the stream open.</param>
    public static GgufReader Read(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanRead)
        {
            throw new ArgumentException("The stream must be readable and seekable.", nameof(stream));
        }

        if (stream.Position != 0)
        {
            // offsets and alignment in GGUF are relative to the start of the file
            throw new ArgumentException($"The stream must be positioned at the start of the GGUF image (position is {stream.Position}).", nameof(stream));
        }

        return new GgufReader(stream, !leaveOpen, null);
    }

    /// <summary>Looks a metadata key up.</summary>
    public bool TryGetValue(string key, out GgufValue value) => _metadata.TryGetValue(key, out value!);

    /// <summary>Whether the metadata has <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => _metadata.ContainsKey(key);

    /// <summary>The value of a metadata key; throws <see cref="KeyNotFoundException"/> naming the key when absent.</summary>
    public GgufValue this[string key] =>
        _metadata.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"GGUF metadata has no key '{key}'{(Path is null ? string.Empty : $" in '{Path}'")}.");

    /// <summary>A string value, or null when the key is absent.</summary>
    public string? GetString(string key) => _metadata.TryGetValue(key, out var v) ? v.AsString() : null;

    /// <summary>An integer value, or null when the key is absent.</summary>
    public long? GetInt64(string key) => _metadata.TryGetValue(key, out var v) ? v.AsInt64() : null;

    /// <summary>A float value, or null when the key is absent.</summary>
    public double? GetDouble(string key) => _metadata.TryGetValue(key, out var v) ? v.AsDouble() : null;

    /// <summary>The tensor named <paramref name="name"/>, or null.</summary>
    public GgufTensorInfo? FindTensor(string name) => _tensorsByName.GetValueOrDefault(name);

    /// <summary>Absolute file offset of a tensor's data.</summary>
    public long GetAbsoluteOffset(GgufTensorInfo tensor) => DataOffset + (long)tensor.Offset;

    /// <summary>Reads a tensor's raw bytes (quantized blocks are returned as stored).</summary>
    public byte[] ReadTensorBytes(GgufTensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var bytes = new byte[checked((int)tensor.ByteSize)];
        ReadTensorBytes(tensor, 0, bytes);
        return bytes;
    }

    /// <summary>Reads part of a tensor's raw bytes, starting <paramref name="byteOffset"/> bytes into the tensor. Safe to call from several threads.</summary>
    public void ReadTensorBytes(GgufTensorInfo tensor, long byteOffset, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (byteOffset < 0 || byteOffset + destination.Length > tensor.ByteSize)
        {
            throw new ArgumentOutOfRangeException(nameof(byteOffset), $"Range {byteOffset}+{destination.Length} is outside tensor '{tensor.Name}' ({tensor.ByteSize} bytes).");
        }

        lock (_readLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _stream.Position = GetAbsoluteOffset(tensor) + byteOffset;
            _stream.ReadExactly(destination);
        }
    }

    /// <summary>Whether <see cref="ReadTensorFloats(GgufTensorInfo)"/> can convert tensors of <paramref name="type"/>:
    /// F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K and Q6_K.</summary>
    public static bool CanReadAsFloats(GgmlType type) => GgmlDequantizer.CanDequantize(type);

    /// <summary>Reads a tensor converted to floats; quantized types are dequantized as ggml does it.</summary>
    /// <exception cref="NotSupportedException">The type cannot be dequantized (see <see cref="CanReadAsFloats"/>), or the tensor has more elements than an array holds (read it in parts with <see cref="ReadTensorFloats(GgufTensorInfo, long, Span{float})"/>).</exception>
    public float[] ReadTensorFloats(GgufTensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.ElementCount > Array.MaxLength)
        {
            throw new NotSupportedException($"Tensor '{tensor.Name}' has {tensor.ElementCount} elements, more than one array holds; read it in parts.");
        }

        var result = new float[tensor.ElementCount];
        ReadTensorFloats(tensor, 0, result);
        return result;
    }

    /// <summary>
    /// Reads <paramref name="destination"/>.Length values of a tensor, starting at element <paramref name="firstElement"/>
    /// (64-bit, so tensors of any size can be read in parts). Both must be multiples of the type's block size
    /// (32 or 256 for quantized types; any row of the tensor qualifies). Safe to call from several threads.
    /// </summary>
    /// <exception cref="NotSupportedException">The type cannot be dequantized.</exception>
    public void ReadTensorFloats(GgufTensorInfo tensor, long firstElement, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!GgmlDequantizer.CanDequantize(tensor.Type))
        {
            throw new NotSupportedException($"Tensor '{tensor.Name}' is {tensor.Type}, which cannot be converted to floats (supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K).");
        }

        var block = GgmlTypeTraits.BlockSize(tensor.Type);
        var blockBytes = GgmlTypeTraits.BlockBytes(tensor.Type);
        if (firstElement < 0 || firstElement + destination.Length > tensor.ElementCount)
        {
            throw new ArgumentOutOfRangeException(nameof(firstElement), $"Elements {firstElement}+{destination.Length} are outside tensor '{tensor.Name}' ({tensor.ElementCount} elements).");
        }

        if (firstElement % block != 0 || destination.Length % block != 0)
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' is {tensor.Type}: reads must start and end on a block boundary ({block} elements).", nameof(firstElement));
        }

        const int ChunkBlocks = 4096;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(ChunkBlocks * blockBytes);
        try
        {
            var done = 0;
            while (done < destination.Length)
            {
                var blocks = Math.Min(ChunkBlocks, (destination.Length - done) / block);
                var bytes = buffer.AsSpan(0, blocks * blockBytes);
                ReadTensorBytes(tensor, (firstElement + done) / block * blockBytes, bytes);
                GgmlDequantizer.Dequantize(tensor.Type, bytes, destination.Slice(done, blocks * block));
                done += blocks * block;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_readLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_ownsStream)
            {
                _stream.Dispose();
            }
        }
    }

    internal static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;

    private void ValidateTensorOffsets(GgufBinaryReader r)
    {
        var dataLength = FileLength - DataOffset;
        if (_tensors.Count > 0 && dataLength < 0)
        {
            throw r.Error(GgufFormatError.Truncated, $"the data section should start at byte {DataOffset} but the file has {FileLength} bytes", FileLength);
        }

        foreach (var t in _tensors)
        {
            if (t.Offset % (ulong)Alignment != 0)
            {
                throw r.Error(GgufFormatError.BadTensorOffset, $"tensor '{t.Name}' data offset {t.Offset} is not a multiple of the alignment {Alignment}", -1);
            }

            if (t.Offset > (ulong)dataLength || (ulong)t.ByteSize > (ulong)dataLength - t.Offset)
            {
                var kind = t.Offset > (ulong)dataLength * 2 + 1024 ? GgufFormatError.BadTensorOffset : GgufFormatError.Truncated;
                throw r.Error(kind,
                    $"tensor '{t.Name}' needs bytes {t.Offset}..{t.Offset + (ulong)t.ByteSize} of the data section, which has {dataLength} bytes (starting at byte {DataOffset})",
                    -1);
            }
        }

        var sorted = _tensors.OrderBy(t => t.Offset).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            var prev = sorted[i - 1];
            if (prev.Offset + (ulong)prev.ByteSize > sorted[i].Offset)
            {
                throw r.Error(GgufFormatError.BadTensorOffset, $"tensor '{prev.Name}' overlaps tensor '{sorted[i].Name}'", -1);
            }
        }
    }

    private static GgufValue ReadValue(GgufBinaryReader r, string key)
    {
        var typeAt = r.Position;
        var raw = r.ReadUInt32();
        var type = (GgufValueType)raw;
        if (type == GgufValueType.Array)
        {
            var elemRaw = r.ReadUInt32();
            var elem = (GgufValueType)elemRaw;
            if (elem == GgufValueType.Array)
            {
                throw r.Error(GgufFormatError.InvalidMetadata, $"key '{key}' is an array of arrays, which llama.cpp does not support", typeAt);
            }

            if (!Enum.IsDefined(elem))
            {
                throw r.Error(GgufFormatError.InvalidMetadata, $"key '{key}' is an array of unknown type {elemRaw}", typeAt);
            }

            var count = r.ReadUInt64();
            var minSize = elem == GgufValueType.String ? 8UL : (ulong)ScalarSize(elem);
            if (count > (ulong)r.Remaining / minSize)
            {
                throw r.Error(GgufFormatError.Truncated, $"key '{key}' declares {count} array elements, more than the {r.Remaining} remaining bytes can hold", typeAt);
            }

            return GgufValue.FromRawArray(elem, ReadArray(r, key, elem, (int)count));
        }

        if (!Enum.IsDefined(type))
        {
            throw r.Error(GgufFormatError.InvalidMetadata, $"key '{key}' has unknown value type {raw}", typeAt);
        }

        return type == GgufValueType.String
            ? GgufValue.FromString(r.ReadString($"the value of '{key}'"))
            : GgufValue.FromRawScalar(type, ReadScalar(r, type, key));
    }

    private static int ScalarSize(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        _ => 8,
    };

    private static object ReadScalar(GgufBinaryReader r, GgufValueType type, string key) => type switch
    {
        GgufValueType.UInt8 => r.ReadByte(),
        GgufValueType.Int8 => (sbyte)r.ReadByte(),
        GgufValueType.UInt16 => r.ReadUInt16(),
        GgufValueType.Int16 => (short)r.ReadUInt16(),
        GgufValueType.UInt32 => r.ReadUInt32(),
        GgufValueType.Int32 => (int)r.ReadUInt32(),
        GgufValueType.Float32 => r.ReadSingle(),
        GgufValueType.UInt64 => r.ReadUInt64(),
        GgufValueType.Int64 => (long)r.ReadUInt64(),
        GgufValueType.Float64 => r.ReadDouble(),
        GgufValueType.Bool => ReadBool(r, key),
        _ => throw new InvalidOperationException($"Not a scalar type: {type}"),
    };

    private static bool ReadBool(GgufBinaryReader r, string key)
    {
        var b = r.ReadByte();
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw r.Error(GgufFormatError.InvalidMetadata, $"key '{key}' holds bool byte {b}, expected 0 or 1", r.Position - 1),
        };
    }

    private static Array ReadArray(GgufBinaryReader r, string key, GgufValueType elem, int count)
    {
        switch (elem)
        {
            case GgufValueType.String:
                {
                    var a = new string[count];
                    for (var i = 0; i < count; i++)
                    {
                        a[i] = r.ReadString($"element {i} of '{key}'");
                    }

                    return a;
                }

            case GgufValueType.UInt8:
                {
                    var a = new byte[count];
                    r.ReadInto(a);
                    return a;
                }

            case GgufValueType.Int8:
                {
                    var a = new sbyte[count];
                    r.ReadInto(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()));
                    return a;
                }

            case GgufValueType.UInt16: return ReadPrimitives<ushort>(r, count);
            case GgufValueType.Int16: return ReadPrimitives<short>(r, count);
            case GgufValueType.UInt32: return ReadPrimitives<uint>(r, count);
            case GgufValueType.Int32: return ReadPrimitives<int>(r, count);
            case GgufValueType.Float32: return ReadPrimitives<float>(r, count);
            case GgufValueType.UInt64: return ReadPrimitives<ulong>(r, count);
            case GgufValueType.Int64: return ReadPrimitives<long>(r, count);
            case GgufValueType.Float64: return ReadPrimitives<double>(r, count);
            case GgufValueType.Bool:
                {
                    var at = r.Position;
                    var raw = new byte[count];
                    r.ReadInto(raw);
                    var bad = raw.AsSpan().IndexOfAnyExcept((byte)0, (byte)1);
                    if (bad >= 0)
                    {
                        throw r.Error(GgufFormatError.InvalidMetadata, $"key '{key}' holds bool byte {raw[bad]}, expected 0 or 1", at + bad);
                    }

                    return Array.ConvertAll(raw, b => b == 1);
                }

            default: throw new InvalidOperationException($"Not an array element type: {elem}");
        }
    }

    // Bulk copy: GGUF is little-endian, so on little-endian hosts the bytes are the values; big-endian hosts swap after.
    private static T[] ReadPrimitives<T>(GgufBinaryReader r, int count)
        where T : unmanaged
    {
        var array = new T[count];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(array.AsSpan());
        r.ReadInto(bytes);
        if (!BitConverter.IsLittleEndian)
        {
            var size = bytes.Length / Math.Max(count, 1);
            for (var i = 0; i < count; i++)
            {
                bytes.Slice(i * size, size).Reverse();
            }
        }

        return array;
    }
}
