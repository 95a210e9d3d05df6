using System.Globalization;

namespace Rag.Model.Gguf;

/// <summary>
/// One GGUF metadata value: a scalar, a string, or a homogeneous array of scalars or strings.
/// Arrays are held as typed CLR arrays (<c>uint[]</c>, <c>float[]</c>, <c>string[]</c>, ...).
/// </summary>
public sealed class GgufValue
{
    private readonly object _value;

    private GgufValue(GgufValueType type, GgufValueType? elementType, object value)
    {
        Type = type;
        ElementType = elementType;
        _value = value;
    }

    /// <summary>The value's type tag.</summary>
    public GgufValueType Type { get; }

    /// <summary>For arrays, the element type; otherwise null.</summary>
    public GgufValueType? ElementType { get; }

    /// <summary>The raw CLR value: a primitive, a string, or a typed array.</summary>
    public object RawValue => _value;

    /// <summary>Number of elements for an array; 1 for a scalar.</summary>
    public int Count => _value is Array a ? a.Length : 1;

    /// <summary>Creates a string value.</summary>
    public static GgufValue FromString(string value) => new(GgufValueType.String, null, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>Creates an unsigned 8-bit value.</summary>
    public static GgufValue FromUInt8(byte value) => new(GgufValueType.UInt8, null, value);

    /// <summary>Creates a signed 8-bit value.</summary>
    public static GgufValue FromInt8(sbyte value) => new(GgufValueType.Int8, null, value);

    /// <summary>Creates an unsigned 16-bit value.</summary>
    public static GgufValue FromUInt16(ushort value) => new(GgufValueType.UInt16, null, value);

    /// <summary>Creates a signed 16-bit value.</summary>
    public static GgufValue FromInt16(short value) => new(GgufValueType.Int16, null, value);

    /// <summary>Creates an unsigned 32-bit value.</summary>
    public static GgufValue FromUInt32(uint value) => new(GgufValueType.UInt32, null, value);

    /// <summary>Creates a signed 32-bit value.</summary>
    public static GgufValue FromInt32(int value) => new(GgufValueType.Int32, null, value);

    /// <summary>Creates an unsigned 64-bit value.</summary>
    public static GgufValue FromUInt64(ulong value) => new(GgufValueType.UInt64, null, value);

    /// <summary>Creates a signed 64-bit value.</summary>
    public static GgufValue FromInt64(long value) => new(GgufValueType.Int64, null, value);

    /// <summary>Creates a 32-bit float value.</summary>
    public static GgufValue FromFloat32(float value) => new(GgufValueType.Float32, null, value);

    /// <summary>Creates a 64-bit float value.</summary>
    public static GgufValue FromFloat64(double value) => new(GgufValueType.Float64, null, value);

    /// <summary>Creates a boolean value.</summary>
    public static GgufValue FromBool(bool value) => new(GgufValueType.Bool, null, value);

    /// <summary>Creates an array of strings.</summary>
    public static GgufValue FromStringArray(IEnumerable<string> values)
    {
        var array = values.ToArray();
        if (Array.IndexOf(array, null) >= 0)
        {
            throw new ArgumentException("A GGUF string array cannot contain null.", nameof(values));
        }

        return new(GgufValueType.Array, GgufValueType.String, array);
    }

    /// <summary>Creates an array of scalars; the element type follows from <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">byte, sbyte, ushort, short, uint, int, ulong, long, float, double or bool.</typeparam>
    public static GgufValue FromArray<T>(IEnumerable<T> values)
        where T : struct
    {
        var array = values.ToArray();
        return new(GgufValueType.Array, ElementTypeOf(typeof(T)), array);
    }

    internal static GgufValue FromRawArray(GgufValueType elementType, Array values) => new(GgufValueType.Array, elementType, values);

    internal static GgufValue FromRawScalar(GgufValueType type, object value) => new(type, null, value);

    internal static GgufValueType ElementTypeOf(Type clrType) => clrType switch
    {
        _ when clrType == typeof(byte) => GgufValueType.UInt8,
        _ when clrType == typeof(sbyte) => GgufValueType.Int8,
        _ when clrType == typeof(ushort) => GgufValueType.UInt16,
        _ when clrType == typeof(short) => GgufValueType.Int16,
        _ when clrType == typeof(uint) => GgufValueType.UInt32,
        _ when clrType == typeof(int) => GgufValueType.Int32,
        _ when clrType == typeof(ulong) => GgufValueType.UInt64,
        _ when clrType == typeof(long) => GgufValueType.Int64,
        _ when clrType == typeof(float) => GgufValueType.Float32,
        _ when clrType == typeof(double) => GgufValueType.Float64,
        _ when clrType == typeof(bool) => GgufValueType.Bool,
        _ => throw new ArgumentException($"{clrType} has no GGUF array element type.", nameof(clrType)),
    };

    /// <summary>The string value; throws when the value is not a string.</summary>
    public string AsString() => _value as string ?? throw WrongType("a string");

    /// <summary>
    /// An integer value widened to <see cref="long"/>; accepts any integer type, as llama.cpp does for
    /// keys such as <c>tokenizer.ggml.bos_token_id</c> that converters write as different widths.
    /// </summary>
    public long AsInt64() => _value switch
    {
        byte v => v,
        sbyte v => v,
        ushort v => v,
        short v => v,
        uint v => v,
        int v => v,
        long v => v,
        ulong v when v <= long.MaxValue => (long)v,
        _ => throw WrongType("an integer that fits in 64 bits"),
    };

    /// <summary>An integer value that must fit in 32 unsigned bits.</summary>
    public uint AsUInt32()
    {
        var v = AsInt64();
        return v is >= 0 and <= uint.MaxValue ? (uint)v : throw WrongType("an integer in the UInt32 range");
    }

    /// <summary>A float value widened to <see cref="double"/>; accepts Float32 and Float64.</summary>
    public double AsDouble() => _value switch
    {
        float f => f,
        double d => d,
        _ => throw WrongType("a float"),
    };

    /// <summary>The boolean value.</summary>
    public bool AsBool() => _value is bool b ? b : throw WrongType("a bool");

    /// <summary>The elements of a string array.</summary>
    public IReadOnlyList<string> AsStringArray() => _value as string[] ?? throw WrongType("an array of strings");

    /// <summary>The elements of a scalar array of element type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The CLR type matching <see cref="ElementType"/>.</typeparam>
    public IReadOnlyList<T> AsArray<T>() => _value as T[] ?? throw WrongType($"an array of {typeof(T).Name}");

    /// <summary>A short human-readable rendering (arrays are abbreviated).</summary>
    public override string ToString()
    {
        if (_value is Array array)
        {
            const int shown = 8;
            var items = array.Cast<object>().Take(shown).Select(Format);
            var suffix = array.Length > shown ? $", ... ({array.Length} items)" : string.Empty;
            return $"[{string.Join(", ", items)}{suffix}]";
        }

        return Format(_value);
    }

    private static string Format(object v) => v switch
    {
        string s => s.Length > 120 ? $"\"{s[..117]}...\"" : $"\"{s}\"",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? string.Empty,
    };

    private InvalidOperationException WrongType(string wanted)
    {
        var actual = Type == GgufValueType.Array ? $"Array<{ElementType}>" : Type.ToString();
        return new InvalidOperationException($"GGUF value is {actual}, not {wanted}.");
    }
}
