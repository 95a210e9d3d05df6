using System.Buffers.Binary;

namespace Rag.Model.Gguf.Conversion.Internal;

/// <summary>
/// Reads protocol-buffer wire format: a message is a run of (field number, wire type) keys, each followed by a varint,
/// a fixed 32- or 64-bit value, or a length-prefixed span. ONNX needs only these; a nested message is read by reading its
/// span again. Spans are slices of the input, so tensor data is never copied while the graph is read.
/// </summary>
internal ref struct ProtobufReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ProtobufReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>Field number of the current field.</summary>
    public int Field { get; private set; }

    /// <summary>Wire type of the current field: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.</summary>
    public int WireType { get; private set; }

    /// <summary>The value of a varint field.</summary>
    public ulong Varint { get; private set; }

    /// <summary>Where the current length-delimited or fixed field starts, relative to the input.</summary>
    public int Start { get; private set; }

    /// <summary>Its length in bytes.</summary>
    public int Length { get; private set; }

    /// <summary>Advances to the next field; false at the end of the input.</summary>
    /// <exception cref="InvalidDataException">The bytes are not valid wire format.</exception>
    public bool Next()
    {
        if (_position >= _data.Length)
        {
            return false;
        }

        ulong key = ReadVarint();
        Field = (int)(key >> 3);
        WireType = (int)(key & 7);
        if (Field == 0)
        {
            throw new InvalidDataException($"protobuf field number 0 at byte {_position}: the data is not a protobuf message");
        }

        switch (WireType)
        {
            case 0:
                Varint = ReadVarint();
                Start = _position;
                Length = 0;
                break;
            case 1:
                Skip(8);
                break;
            case 2:
                ulong length = ReadVarint();
                if (length > (ulong)(_data.Length - _position))
                {
                    throw new InvalidDataException($"protobuf field {Field} at byte {_position} claims {length} bytes, more than remain: the file is truncated");
                }

                Skip((int)length);
                break;
            case 5:
                Skip(4);
                break;
            default:
                throw new InvalidDataException($"protobuf wire type {WireType} at byte {_position} is not supported (groups are deprecated): the data is not an ONNX model");
        }

        return true;
    }

    /// <summary>The current length-delimited field's bytes.</summary>
    public readonly ReadOnlySpan<byte> Bytes => _data.Slice(Start, Length);

    /// <summary>The current length-delimited field as UTF-8 text.</summary>
    public readonly string String => System.Text.Encoding.UTF8.GetString(Bytes);

    /// <summary>The current fixed32 field as a float.</summary>
    public readonly float Float32 => BinaryPrimitives.ReadSingleLittleEndian(Bytes);

    /// <summary>Reads a packed (or single, for wire type 0) run of varints of the current field.</summary>
    public readonly void ReadVarints(List<long> into)
    {
        if (WireType == 0)
        {
            into.Add((long)Varint);
            return;
        }

        var packed = new ProtobufReader(Bytes);
        while (packed._position < packed._data.Length)
        {
            into.Add((long)packed.ReadVarint());
        }
    }

    private void Skip(int count)
    {
        if (count > _data.Length - _position)
        {
            throw new InvalidDataException($"protobuf field {Field} runs past the end of its message at byte {_position}: the file is truncated");
        }

        Start = _position;
        Length = count;
        _position += count;
    }

    private ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw new InvalidDataException("protobuf varint runs past the end of its message: the file is truncated");
            }

            byte b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new InvalidDataException($"protobuf varint longer than 10 bytes at byte {_position}: the data is not a protobuf message");
    }
}
