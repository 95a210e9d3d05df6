using System.Buffers.Binary;
using System.Text;

namespace Rag.Model.Gguf.Internal;

/// <summary>
/// Little-endian reader over a seekable stream that knows the stream's length, so every declared length
/// is checked against what is left before anything is allocated (a corrupt count must not allocate gigabytes).
/// </summary>
internal sealed class GgufBinaryReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly string? _path;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _bufferStart;
    private int _bufferEnd;

    public GgufBinaryReader(Stream stream, string? path)
    {
        _stream = stream;
        _path = path;
        Length = stream.Length;
        Position = stream.Position;
    }

    public long Length { get; }

    public long Position { get; private set; }

    public long Remaining => Length - Position;

    public GgufFormatException Error(GgufFormatError error, string detail, long? at = null) => new(error, _path, at ?? Position, detail);

    public byte ReadByte() => Take(1)[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public string ReadString(string what)
    {
        var start = Position;
        var length = ReadUInt64();
        if (length > (ulong)Remaining)
        {
            throw Error(GgufFormatError.Truncated, $"{what} declares {length} bytes but only {Remaining} remain", start);
        }

        if (length > int.MaxValue)
        {
            throw Error(GgufFormatError.InvalidMetadata, $"{what} is {length} bytes long", start);
        }

        var n = (int)length;
        try
        {
            if (n <= _buffer.Length)
            {
                return StrictUtf8.GetString(Take(n));
            }

            var bytes = new byte[n];
            ReadInto(bytes);
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new GgufFormatException(GgufFormatError.InvalidMetadata, _path, start, $"{what} is not valid UTF-8 ({ex.Message})");
        }
    }

    public void ReadInto(Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            if (_bufferEnd == _bufferStart)
            {
                Fill(1);
            }

            var n = Math.Min(destination.Length, _bufferEnd - _bufferStart);
            _buffer.AsSpan(_bufferStart, n).CopyTo(destination);
            _bufferStart += n;
            Position += n;
            destination = destination[n..];
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_bufferEnd - _bufferStart < count)
        {
            Fill(count);
        }

        var span = new ReadOnlySpan<byte>(_buffer, _bufferStart, count);
        _bufferStart += count;
        Position += count;
        return span;
    }

    private void Fill(int needed)
    {
        var have = _bufferEnd - _bufferStart;
        if (have > 0 && _bufferStart > 0)
        {
            Buffer.BlockCopy(_buffer, _bufferStart, _buffer, 0, have);
        }

        _bufferStart = 0;
        _bufferEnd = have;
        while (_bufferEnd < needed)
        {
            var read = _stream.Read(_buffer, _bufferEnd, _buffer.Length - _bufferEnd);
            if (read == 0)
            {
                throw Error(GgufFormatError.Truncated, $"the file ends after {Length} bytes, {needed - _bufferEnd} more were expected");
            }

            _bufferEnd += read;
        }
    }
}
