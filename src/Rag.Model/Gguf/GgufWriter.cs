using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Rag.Model.Gguf.Internal;

namespace Rag.Model.Gguf;

/// <summary>
/// Writes a GGUF v3 file in one forward pass, so multi-gigabyte models never have to be held in memory.
/// Usage: set metadata and declare every tensor (<see cref="AddTensor"/>), call <see cref="WriteHeader"/>,
/// then stream each tensor's data in declaration order (<see cref="WriteTensorData"/> or <see cref="WriteTensorFloats"/>,
/// in as many chunks as wanted), and finish with <see cref="Complete"/>.
/// </summary>
public sealed class GgufWriter : IDisposable
{
    // GGML_MAX_NAME: ggml keeps tensor names in a 64-byte buffer, so llama.cpp refuses longer names.
    private const int MaxTensorNameBytes = 64;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly List<KeyValuePair<string, GgufValue>> _metadata = [];
    private readonly Dictionary<string, int> _metadataIndex = new(StringComparer.Ordinal);
    private readonly List<GgufTensorInfo> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);
    private State _state = State.Declaring;
    private int _current;
    private long _writtenInCurrent;
    private long _position;

    /// <summary>Creates a writer over a writable stream.</summary>
    /// <param name="stream">Destination, positioned where the file starts.</param>
    /// <param name="alignment">Data alignment; a value other than 32 is recorded as <c>general.alignment</c>.</param>
    /// <param name="leaveOpen">Whether disposing the writer leaves the stream open.</param>
    public GgufWriter(Stream stream, int alignment = GgufReader.DefaultAlignment, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream must be writable.", nameof(stream));
        }

        if (alignment <= 0 || !BitOperations.IsPow2(alignment))
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "The alignment must be a positive power of two.");
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
        Alignment = alignment;
        if (alignment != GgufReader.DefaultAlignment)
        {
            SetValue(GgufReader.AlignmentKey, GgufValue.FromUInt32((uint)alignment));
        }
    }

    private enum State
    {
        Declaring,
        WritingData,
        Completed,
    }

    /// <summary>The data alignment.</summary>
    public int Alignment { get; }

    /// <summary>The declared tensors with their computed offsets (final once <see cref="WriteHeader"/> has run).</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors => _tensors;

    /// <summary>The tensor whose data is expected next, or null when all data is written or the header is not yet written.</summary>
    public GgufTensorInfo? CurrentTensor => _state == State.WritingData && _current < _tensors.Count ? _tensors[_current] : null;

    /// <summary>Creates a file (replacing an existing one) and a writer over it.</summary>
    public static GgufWriter Create(string path, int alignment = GgufReader.DefaultAlignment)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        return new GgufWriter(stream, alignment, leaveOpen: false);
    }

    /// <summary>Sets (or replaces) a metadata value. Keys keep the order of their first setting.</summary>
    public GgufWriter SetValue(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        RequireState(State.Declaring, "set metadata");
        if (key == GgufReader.AlignmentKey && (value.Type != GgufValueType.UInt32 || (uint)value.RawValue != (uint)Alignment))
        {
            throw new ArgumentException($"'{GgufReader.AlignmentKey}' is set through the constructor's alignment argument.", nameof(key));
        }

        if (_metadataIndex.TryGetValue(key, out var i))
        {
            _metadata[i] = new(key, value);
        }
        else
        {
            _metadataIndex[key] = _metadata.Count;
            _metadata.Add(new(key, value));
        }

        return this;
    }

    /// <summary>Sets a string value.</summary>
    public GgufWriter SetString(string key, string value) => SetValue(key, GgufValue.FromString(value));

    /// <summary>Sets a UInt32 value.</summary>
    public GgufWriter SetUInt32(string key, uint value) => SetValue(key, GgufValue.FromUInt32(value));

    /// <summary>Sets an Int32 value.</summary>
    public GgufWriter SetInt32(string key, int value) => SetValue(key, GgufValue.FromInt32(value));

    /// <summary>Sets a Float32 value.</summary>
    public GgufWriter SetFloat32(string key, float value) => SetValue(key, GgufValue.FromFloat32(value));

    /// <summary>Sets a Bool value.</summary>
    public GgufWriter SetBool(string key, bool value) => SetValue(key, GgufValue.FromBool(value));

    /// <summary>Sets a string array value.</summary>
    public GgufWriter SetStringArray(string key, IEnumerable<string> values) => SetValue(key, GgufValue.FromStringArray(values));

    /// <summary>Sets a scalar array value.</summary>
    public GgufWriter SetArray<T>(string key, IEnumerable<T> values)
        where T : struct => SetValue(key, GgufValue.FromArray(values));

    /// <summary>Removes a metadata key if present.</summary>
    public bool RemoveValue(string key)
    {
        RequireState(State.Declaring, "remove metadata");
        if (!_metadataIndex.Remove(key, out var i))
        {
            return false;
        }

        _metadata.RemoveAt(i);
        foreach (var k in _metadataIndex.Keys.ToList())
        {
            if (_metadataIndex[k] > i)
            {
                _metadataIndex[k]--;
            }
        }

        return true;
    }

    /// <summary>Declares a tensor; data must later be written in declaration order.</summary>
    /// <param name="name">Tensor name (unique).</param>
    /// <param name="dimensions">Shape in ggml order, row length first; 1 to 4 dimensions.</param>
    /// <param name="type">Element type; the row length must be a multiple of the type's block size.</param>
    public GgufTensorInfo AddTensor(string name, IReadOnlyList<long> dimensions, GgmlType type)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dimensions);
        RequireState(State.Declaring, "add tensors");
        if (dimensions.Count is 0 or > 4 || dimensions.Any(d => d <= 0))
        {
            throw new ArgumentException($"Tensor '{name}' has shape [{string.Join(", ", dimensions)}]; expected 1 to 4 positive dimensions.", nameof(dimensions));
        }

        if (!GgmlTypeTraits.IsKnown(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown ggml type.");
        }

        if (Encoding.UTF8.GetByteCount(name) >= MaxTensorNameBytes)
        {
            throw new ArgumentException($"Tensor name '{name}' is {Encoding.UTF8.GetByteCount(name)} bytes; ggml stores at most {MaxTensorNameBytes - 1}.", nameof(name));
        }

        var size = GgmlTypeTraits.ByteSize(type, dimensions.ToArray());
        if (size < 0)
        {
            throw new ArgumentException($"Tensor '{name}' row length {dimensions[0]} is not a multiple of {type}'s block size {GgmlTypeTraits.BlockSize(type)}.", nameof(dimensions));
        }

        if (!_tensorNames.Add(name))
        {
            throw new ArgumentException($"Tensor '{name}' is already declared.", nameof(name));
        }

        var offset = _tensors.Count == 0 ? 0UL : (ulong)GgufReader.AlignUp((long)_tensors[^1].Offset + _tensors[^1].ByteSize, Alignment);
        var info = new GgufTensorInfo(name, dimensions.ToArray(), type, offset);
        _tensors.Add(info);
        return info;
    }

    /// <summary>Writes the header (magic, version, metadata, tensor infos) and the padding up to the data section.</summary>
    public void WriteHeader()
    {
        RequireState(State.Declaring, "write the header");
        var header = new ArrayBufferWriter<byte>(1 << 16);
        WriteUInt32(header, GgufReader.Magic);
        WriteUInt32(header, 3);
        WriteUInt64(header, (ulong)_tensors.Count);
        WriteUInt64(header, (ulong)_metadata.Count);
        foreach (var (key, value) in _metadata)
        {
            WriteString(header, key);
            WriteValue(header, value);
        }

        foreach (var t in _tensors)
        {
            WriteString(header, t.Name);
            WriteUInt32(header, (uint)t.Dimensions.Count);
            foreach (var d in t.Dimensions)
            {
                WriteUInt64(header, (ulong)d);
            }

            WriteUInt32(header, (uint)t.Type);
            WriteUInt64(header, t.Offset);
        }

        _stream.Write(header.WrittenSpan);
        _position = header.WrittenCount;
        if (_tensors.Count > 0)
        {
            Pad();
        }

        _state = State.WritingData;
        _current = 0;
        _writtenInCurrent = 0;
        SkipEmptyTensors();
    }

    /// <summary>Appends raw bytes to the current tensor (for pre-quantized data, or F32/F16 data already encoded little-endian).</summary>
    public void WriteTensorData(ReadOnlySpan<byte> data)
    {
        RequireState(State.WritingData, "write tensor data");
        while (data.Length > 0)
        {
            if (_current >= _tensors.Count)
            {
                throw new InvalidOperationException($"All {_tensors.Count} declared tensors are complete; {data.Length} extra bytes were given.");
            }

            var t = _tensors[_current];
            var n = (int)Math.Min(data.Length, t.ByteSize - _writtenInCurrent);
            _stream.Write(data[..n]);
            _position += n;
            _writtenInCurrent += n;
            data = data[n..];
            if (_writtenInCurrent == t.ByteSize)
            {
                Pad();
                _current++;
                _writtenInCurrent = 0;
            }
        }
    }

    /// <summary>Appends values to the current tensor, converting them to its type (F32, F16 or BF16).</summary>
    public void WriteTensorFloats(ReadOnlySpan<float> values)
    {
        RequireState(State.WritingData, "write tensor data");
        const int chunk = 1 << 14;
        var buffer = ArrayPool<byte>.Shared.Rent(chunk * 4);
        try
        {
            while (values.Length > 0)
            {
                var t = CurrentTensor ?? throw new InvalidOperationException("All declared tensors are complete.");
                var n = Math.Min(values.Length, chunk);
                var part = values[..n];
                int bytes;
                switch (t.Type)
                {
                    case GgmlType.F32:
                        for (var i = 0; i < n; i++)
                        {
                            BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * 4), part[i]);
                        }

                        bytes = n * 4;
                        break;
                    case GgmlType.F16:
                        for (var i = 0; i < n; i++)
                        {
                            BinaryPrimitives.WriteHalfLittleEndian(buffer.AsSpan(i * 2), (Half)part[i]);
                        }

                        bytes = n * 2;
                        break;
                    case GgmlType.BF16:
                        for (var i = 0; i < n; i++)
                        {
                            BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(i * 2), ToBFloat16(part[i]));
                        }

                        bytes = n * 2;
                        break;
                    default:
                        throw new InvalidOperationException($"Tensor '{t.Name}' is {t.Type}; floats can only be written to F32, F16 or BF16 tensors. Use WriteTensorData for quantized bytes.");
                }

                // A chunk must not straddle two tensors of different types.
                var left = t.ByteSize - _writtenInCurrent;
                if (bytes > left)
                {
                    var fit = (int)(left / (bytes / n));
                    WriteTensorData(buffer.AsSpan(0, (int)left));
                    values = values[fit..];
                    continue;
                }

                WriteTensorData(buffer.AsSpan(0, bytes));
                values = values[n..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Checks every declared tensor got all its data and flushes the stream.</summary>
    /// <exception cref="InvalidOperationException">A tensor is incomplete.</exception>
    public void Complete()
    {
        if (_state == State.Declaring)
        {
            WriteHeader();
        }

        RequireState(State.WritingData, "complete");
        if (_current < _tensors.Count)
        {
            var t = _tensors[_current];
            throw new InvalidOperationException($"Tensor '{t.Name}' has {_writtenInCurrent} of {t.ByteSize} bytes; {_tensors.Count - _current} tensor(s) are incomplete.");
        }

        _stream.Flush();
        _state = State.Completed;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    internal static ushort ToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        // round to nearest even, as ggml does
        return (ushort)((bits + (0x7FFF + ((bits >> 16) & 1))) >> 16);
    }

    private void SkipEmptyTensors()
    {
        while (_current < _tensors.Count && _tensors[_current].ByteSize == 0)
        {
            _current++;
        }
    }

    private void Pad()
    {
        var padding = (int)(GgufReader.AlignUp(_position, Alignment) - _position);
        if (padding > 0)
        {
            Span<byte> zeros = stackalloc byte[padding];
            zeros.Clear();
            _stream.Write(zeros);
            _position += padding;
        }
    }

    private void RequireState(State state, string action)
    {
        if (_state != state)
        {
            var now = _state switch
            {
                State.Declaring => "the header has not been written",
                State.WritingData => "the header is already written",
                _ => "the file is complete",
            };
            throw new InvalidOperationException($"Cannot {action}: {now}.");
        }
    }

    private static void WriteUInt32(IBufferWriter<byte> w, uint v)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(w.GetSpan(4), v);
        w.Advance(4);
    }

    private static void WriteUInt64(IBufferWriter<byte> w, ulong v)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(w.GetSpan(8), v);
        w.Advance(8);
    }

    private static void WriteString(IBufferWriter<byte> w, string s)
    {
        var n = Encoding.UTF8.GetByteCount(s);
        WriteUInt64(w, (ulong)n);
        var span = w.GetSpan(Math.Max(n, 1));
        Encoding.UTF8.GetBytes(s, span);
        w.Advance(n);
    }

    private static void WriteValue(IBufferWriter<byte> w, GgufValue value)
    {
        WriteUInt32(w, (uint)value.Type);
        if (value.Type == GgufValueType.Array)
        {
            var elem = value.ElementType!.Value;
            var array = (Array)value.RawValue;
            WriteUInt32(w, (uint)elem);
            WriteUInt64(w, (ulong)array.Length);
            foreach (var item in array)
            {
                WriteScalar(w, elem, item);
            }
        }
        else
        {
            WriteScalar(w, value.Type, value.RawValue);
        }
    }

    private static void WriteScalar(IBufferWriter<byte> w, GgufValueType type, object v)
    {
        switch (type)
        {
            case GgufValueType.String:
                WriteString(w, (string)v);
                return;
            case GgufValueType.UInt8:
                w.GetSpan(1)[0] = (byte)v;
                w.Advance(1);
                return;
            case GgufValueType.Int8:
                w.GetSpan(1)[0] = unchecked((byte)(sbyte)v);
                w.Advance(1);
                return;
            case GgufValueType.Bool:
                w.GetSpan(1)[0] = (bool)v ? (byte)1 : (byte)0;
                w.Advance(1);
                return;
            case GgufValueType.UInt16:
                BinaryPrimitives.WriteUInt16LittleEndian(w.GetSpan(2), (ushort)v);
                w.Advance(2);
                return;
            case GgufValueType.Int16:
                BinaryPrimitives.WriteInt16LittleEndian(w.GetSpan(2), (short)v);
                w.Advance(2);
                return;
            case GgufValueType.UInt32:
                WriteUInt32(w, (uint)v);
                return;
            case GgufValueType.Int32:
                BinaryPrimitives.WriteInt32LittleEndian(w.GetSpan(4), (int)v);
                w.Advance(4);
                return;
            case GgufValueType.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(w.GetSpan(4), (float)v);
                w.Advance(4);
                return;
            case GgufValueType.UInt64:
                WriteUInt64(w, (ulong)v);
                return;
            case GgufValueType.Int64:
                BinaryPrimitives.WriteInt64LittleEndian(w.GetSpan(8), (long)v);
                w.Advance(8);
                return;
            case GgufValueType.Float64:
                BinaryPrimitives.WriteDoubleLittleEndian(w.GetSpan(8), (double)v);
                w.Advance(8);
                return;
            default:
                throw new InvalidOperationException($"Cannot write a {type} scalar.");
        }
    }
}
