using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Rag.Model.Gguf.Conversion.Internal;

/// <summary>An ONNX tensor's shape, element type and where its data lies in the model bytes (not copied).</summary>
internal sealed record OnnxTensor(string Name, long[] Dims, int DataType, ReadOnlyMemory<byte> Data, OnnxTensorEncoding Encoding)
{
    public const int Float = 1;
    public const int Int32 = 6;
    public const int Int64 = 7;
    public const int Float16 = 10;

    public long ElementCount => Dims.Aggregate(1L, (a, d) => a * d);

    /// <summary>The values as floats (F32 or F16 data).</summary>
    /// <exception cref="OnnxConversionException">The tensor holds another type, or its data is not the size its shape says.</exception>
    public float[] ToFloats()
    {
        var count = ElementCount;
        var result = new float[count];
        var bytes = Data.Span;
        switch (DataType)
        {
            case Float when Encoding is OnnxTensorEncoding.Raw or OnnxTensorEncoding.PackedFloats && bytes.Length == count * 4:
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(result);
                if (!BitConverter.IsLittleEndian)
                {
                    for (int i = 0; i < result.Length; i++)
                    {
                        result[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
                    }
                }

                return result;
            case Float16 when Encoding == OnnxTensorEncoding.Raw && bytes.Length == count * 2:
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(i * 2)..]);
                }

                return result;
            default:
                throw new OnnxConversionException(
                    $"tensor '{Name}' has ONNX data type {DataType} with {bytes.Length} bytes for {count} elements; only float32 and float16 weights stored in the file are supported");
        }
    }

    /// <summary>The values as integers (INT64 or INT32 data), for shape constants.</summary>
    public long[]? ToIntegers()
    {
        var bytes = Data.Span;
        var count = ElementCount;
        if (DataType == Int64 && Encoding == OnnxTensorEncoding.Raw && bytes.Length == count * 8)
        {
            var r = new long[count];
            for (int i = 0; i < r.Length; i++)
            {
                r[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(i * 8)..]);
            }

            return r;
        }

        if (DataType is Int64 or Int32 && Encoding == OnnxTensorEncoding.PackedVarints)
        {
            var values = new List<long>();
            ReadPackedVarints(bytes, values);
            return values.Count == count ? values.ToArray() : null;
        }

        if (DataType == Int32 && Encoding == OnnxTensorEncoding.Raw && bytes.Length == count * 4)
        {
            var r = new long[count];
            for (int i = 0; i < r.Length; i++)
            {
                r[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * 4)..]);
            }

            return r;
        }

        return null;
    }

    private static void ReadPackedVarints(ReadOnlySpan<byte> bytes, List<long> into)
    {
        ulong value = 0;
        int shift = 0;
        foreach (byte b in bytes)
        {
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                into.Add((long)value);
                value = 0;
                shift = 0;
            }
            else
            {
                shift += 7;
            }
        }
    }
}

/// <summary>How a tensor's values are stored in the file.</summary>
internal enum OnnxTensorEncoding
{
    /// <summary><c>raw_data</c>: little-endian values back to back.</summary>
    Raw,

    /// <summary><c>float_data</c>: packed fixed32 floats.</summary>
    PackedFloats,

    /// <summary><c>int64_data</c> or <c>int32_data</c>: packed varints.</summary>
    PackedVarints,
}

/// <summary>One graph node: operator, inputs, outputs and the attributes the converter reads.</summary>
internal sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs)
{
    /// <summary>Integer attributes (for example Gemm's <c>transB</c>).</summary>
    public Dictionary<string, long> Ints { get; } = new(StringComparer.Ordinal);

    /// <summary>Float attributes (for example LayerNormalization's <c>epsilon</c>).</summary>
    public Dictionary<string, float> Floats { get; } = new(StringComparer.Ordinal);

    /// <summary>Integer-list attributes (for example Transpose's <c>perm</c>).</summary>
    public Dictionary<string, long[]> IntLists { get; } = new(StringComparer.Ordinal);

    /// <summary>Tensor attributes (Constant's <c>value</c>).</summary>
    public Dictionary<string, OnnxTensor> Tensors { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The parts of an ONNX model (onnx.proto3: ModelProto → GraphProto → NodeProto, TensorProto) a weight converter needs:
/// initializers by name and the nodes in order.
/// </summary>
internal sealed class OnnxGraph
{
    private OnnxGraph(string producer, Dictionary<string, OnnxTensor> initializers, List<OnnxNode> nodes)
    {
        Producer = producer;
        Initializers = initializers;
        Nodes = nodes;
    }

    /// <summary>Producer name and version, for messages.</summary>
    public string Producer { get; }

    public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; }

    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>Parses a serialized ModelProto.</summary>
    /// <exception cref="OnnxConversionException">The bytes are not an ONNX model, or weights live in external files.</exception>
    public static OnnxGraph Parse(ReadOnlyMemory<byte> model)
    {
        try
        {
            string producer = string.Empty, version = string.Empty;
            ReadOnlyMemory<byte>? graph = null;
            var reader = new ProtobufReader(model.Span);
            while (reader.Next())
            {
                switch (reader.Field)
                {
                    case 2 when reader.WireType == 2: producer = reader.String; break;
                    case 3 when reader.WireType == 2: version = reader.String; break;
                    case 7 when reader.WireType == 2: graph = model.Slice(reader.Start, reader.Length); break;
                }
            }

            if (graph is null)
            {
                throw new OnnxConversionException("the file has no graph: it is not an ONNX model");
            }

            var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
            var nodes = new List<OnnxNode>();
            var g = new ProtobufReader(graph.Value.Span);
            while (g.Next())
            {
                if (g.WireType != 2)
                {
                    continue;
                }

                var slice = graph.Value.Slice(g.Start, g.Length);
                if (g.Field == 5)
                {
                    var tensor = ParseTensor(slice);
                    initializers[tensor.Name] = tensor;
                }
                else if (g.Field == 1)
                {
                    nodes.Add(ParseNode(slice));
                }
            }

            return new OnnxGraph($"{producer} {version}".Trim(), initializers, nodes);
        }
        catch (InvalidDataException e)
        {
            throw new OnnxConversionException($"the file is not a valid ONNX model: {e.Message}", e);
        }
    }

    /// <summary>The one float value of <paramref name="name"/> when it is a scalar initializer or Constant node output.</summary>
    public float? ConstantFloat(string name)
    {
        var tensor = Initializers.GetValueOrDefault(name)
            ?? Nodes.FirstOrDefault(n => n.OpType == "Constant" && n.Outputs.Count == 1 && n.Outputs[0] == name)?.Tensors.GetValueOrDefault("value");
        return tensor is { DataType: OnnxTensor.Float } && tensor.ElementCount == 1 ? tensor.ToFloats()[0] : null;
    }

    /// <summary>The integer values of <paramref name="name"/> when it is an initializer or a Constant node's output.</summary>
    public long[]? ConstantIntegers(string name)
    {
        if (Initializers.TryGetValue(name, out var tensor))
        {
            return tensor.ToIntegers();
        }

        foreach (var node in Nodes)
        {
            if (node.OpType == "Constant" && node.Outputs.Count == 1 && node.Outputs[0] == name)
            {
                if (node.Tensors.TryGetValue("value", out var value))
                {
                    return value.ToIntegers();
                }

                if (node.Ints.TryGetValue("value_int", out var single))
                {
                    return [single];
                }

                if (node.IntLists.TryGetValue("value_ints", out var list))
                {
                    return list;
                }
            }
        }

        return null;
    }

    private static OnnxTensor ParseTensor(ReadOnlyMemory<byte> bytes)
    {
        var dims = new List<long>();
        int dataType = 0;
        string name = string.Empty;
        ReadOnlyMemory<byte> data = ReadOnlyMemory<byte>.Empty;
        var encoding = OnnxTensorEncoding.Raw;
        var reader = new ProtobufReader(bytes.Span);
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1: reader.ReadVarints(dims); break;
                case 2 when reader.WireType == 0: dataType = (int)reader.Varint; break;
                case 4 when reader.WireType == 2: data = bytes.Slice(reader.Start, reader.Length); encoding = OnnxTensorEncoding.PackedFloats; break;
                case 5 or 7 when reader.WireType == 2: data = bytes.Slice(reader.Start, reader.Length); encoding = OnnxTensorEncoding.PackedVarints; break;
                case 8 when reader.WireType == 2: name = reader.String; break;
                case 9 when reader.WireType == 2: data = bytes.Slice(reader.Start, reader.Length); encoding = OnnxTensorEncoding.Raw; break;
                case 14 when reader.WireType == 0 && reader.Varint == 1:
                    throw new OnnxConversionException(
                        $"tensor '{name}' keeps its data in an external file; convert a model whose weights are inside the .onnx file (under 2 GB)");
            }
        }

        return new OnnxTensor(name, dims.ToArray(), dataType, data, encoding);
    }

    private static OnnxNode ParseNode(ReadOnlyMemory<byte> bytes)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        string name = string.Empty, op = string.Empty;
        var attributes = new List<ReadOnlyMemory<byte>>();
        var reader = new ProtobufReader(bytes.Span);
        while (reader.Next())
        {
            if (reader.WireType != 2)
            {
                continue;
            }

            switch (reader.Field)
            {
                case 1: inputs.Add(reader.String); break;
                case 2: outputs.Add(reader.String); break;
                case 3: name = reader.String; break;
                case 4: op = reader.String; break;
                case 5: attributes.Add(bytes.Slice(reader.Start, reader.Length)); break;
            }
        }

        var node = new OnnxNode(name, op, inputs, outputs);
        foreach (var attribute in attributes)
        {
            ParseAttribute(attribute, node);
        }

        return node;
    }

    private static void ParseAttribute(ReadOnlyMemory<byte> bytes, OnnxNode node)
    {
        string name = string.Empty;
        long? integer = null;
        float? single = null;
        OnnxTensor? tensor = null;
        var ints = new List<long>();
        var reader = new ProtobufReader(bytes.Span);
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1 when reader.WireType == 2: name = reader.String; break;
                case 2 when reader.WireType == 5: single = reader.Float32; break;
                case 3 when reader.WireType == 0: integer = (long)reader.Varint; break;
                case 5 when reader.WireType == 2: tensor = ParseTensor(bytes.Slice(reader.Start, reader.Length)); break;
                case 8: reader.ReadVarints(ints); break;
            }
        }

        if (integer is { } i)
        {
            node.Ints[name] = i;
        }

        if (single is { } f)
        {
            node.Floats[name] = f;
        }

        if (tensor is not null)
        {
            node.Tensors[name] = tensor with { Name = name };
        }

        if (ints.Count > 0)
        {
            node.IntLists[name] = ints.ToArray();
        }
    }
}
