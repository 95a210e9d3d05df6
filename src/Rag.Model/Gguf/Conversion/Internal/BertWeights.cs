using System.Globalization;
using System.Text.RegularExpressions;

namespace Rag.Model.Gguf.Conversion.Internal;

/// <summary>A BERT parameter found in the graph, and whether its stored layout is [in, out] (ONNX MatMul's B) rather than PyTorch's [out, in].</summary>
internal sealed record BertParameter(OnnxTensor Tensor, bool StoredInputMajor);

/// <summary>
/// Finds a BERT encoder's parameters in an ONNX graph under their Hugging Face names (<c>embeddings.word_embeddings.weight</c>,
/// <c>encoder.layer.3.attention.self.query.weight</c>, …) and reads its hyper-parameters. Exporters keep the names of
/// embeddings, biases and LayerNorm parameters, but a linear layer's weight is usually folded into a transposed, anonymous
/// initializer (<c>927</c>, <c>onnx::MatMul_788</c>) feeding a MatMul; it is named here by the bias added to that
/// MatMul's output. A named weight reached through Transpose or Gemm(transB=1) is already [out, in].
/// </summary>
internal sealed partial class BertWeights
{
    private BertWeights(Dictionary<string, BertParameter> parameters)
    {
        Parameters = parameters;
    }

    public IReadOnlyDictionary<string, BertParameter> Parameters { get; }

    public int VocabularySize { get; private init; }

    public int EmbeddingLength { get; private init; }

    public int ContextLength { get; private init; }

    public int TokenTypes { get; private init; }

    public int Layers { get; private init; }

    public int FeedForwardLength { get; private init; }

    public int? InferredHeadCount { get; private init; }

    public float? InferredLayerNormEpsilon { get; private init; }

    public static BertWeights Find(OnnxGraph graph)
    {
        var parameters = new Dictionary<string, BertParameter>(StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        var producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            foreach (var input in node.Inputs)
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = [];
                }

                list.Add(node);
            }

            foreach (var output in node.Outputs)
            {
                producers[output] = node;
            }
        }

        // Named parameters: everything under embeddings. and encoder., whatever prefix the exporter put before them.
        foreach (var (name, tensor) in graph.Initializers)
        {
            if (Canonical(name) is not { } canonical || tensor.DataType is not (OnnxTensor.Float or OnnxTensor.Float16))
            {
                continue;
            }

            bool inputMajor = false;
            if (tensor.Dims.Length == 2 && !canonical.StartsWith("embeddings.", StringComparison.Ordinal))
            {
                inputMajor = IsInputMajor(name, consumers);
            }

            parameters[canonical] = new BertParameter(tensor, inputMajor);
        }

        // Anonymous linear weights: MatMul(x, W) then Add(·, <name>.bias), or Gemm(x, W, <name>.bias).
        foreach (var node in graph.Nodes)
        {
            if (node.OpType is not ("MatMul" or "Gemm") || node.Inputs.Count < 2 || !graph.Initializers.TryGetValue(node.Inputs[1], out var weight)
                || weight.Dims.Length != 2 || Canonical(weight.Name) is not null)
            {
                continue;
            }

            string? bias = null;
            if (node.OpType == "Gemm" && node.Inputs.Count > 2)
            {
                bias = node.Inputs[2];
            }
            else if (consumers.TryGetValue(node.Outputs[0], out var next))
            {
                bias = next.Where(n => n.OpType == "Add").SelectMany(n => n.Inputs).FirstOrDefault(i => i.EndsWith(".bias", StringComparison.Ordinal) && graph.Initializers.ContainsKey(i));
            }

            if (bias is not null && Canonical(bias) is { } canonicalBias)
            {
                bool inputMajor = node.OpType == "MatMul" || node.Ints.GetValueOrDefault("transB") == 0;
                parameters[canonicalBias[..^".bias".Length] + ".weight"] = new BertParameter(weight, inputMajor);
            }
        }

        var words = Require(parameters, "embeddings.word_embeddings.weight").Tensor;
        var positions = Require(parameters, "embeddings.position_embeddings.weight").Tensor;
        var types = Require(parameters, "embeddings.token_type_embeddings.weight").Tensor;
        int layers = parameters.Keys.Select(k => LayerIndex().Match(k)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 1).DefaultIfEmpty(0).Max();
        if (layers == 0)
        {
            throw new OnnxConversionException("the model has no encoder.layer.N parameters: it is not a BERT encoder");
        }

        int hidden = (int)words.Dims[1];
        var ffn = Require(parameters, "encoder.layer.0.intermediate.dense.bias").Tensor;
        return new BertWeights(parameters)
        {
            VocabularySize = (int)words.Dims[0],
            EmbeddingLength = hidden,
            ContextLength = (int)positions.Dims[0],
            TokenTypes = (int)types.Dims[0],
            Layers = layers,
            FeedForwardLength = (int)ffn.ElementCount,
            InferredHeadCount = InferHeads(graph, hidden),
            InferredLayerNormEpsilon = InferEpsilon(graph, producers),
        };
    }

    /// <summary>The parameter with this Hugging Face name.</summary>
    /// <exception cref="OnnxConversionException">The graph has no such parameter.</exception>
    public BertParameter Get(string name) => Require((Dictionary<string, BertParameter>)Parameters, name);

    /// <summary>The Hugging Face name of <paramref name="initializer"/> (prefixes such as <c>bert.</c> or <c>0.auto_model.</c> removed), or null.</summary>
    internal static string? Canonical(string initializer)
    {
        var m = CanonicalName().Match(initializer);
        return m.Success ? m.Groups[1].Value : null;
    }

    private static bool IsInputMajor(string name, Dictionary<string, List<OnnxNode>> consumers)
    {
        foreach (var node in consumers.GetValueOrDefault(name) ?? [])
        {
            switch (node.OpType)
            {
                case "MatMul" when node.Inputs.Count > 1 && node.Inputs[1] == name:
                    return true;
                case "Gemm" when node.Inputs.Count > 1 && node.Inputs[1] == name:
                    return node.Ints.GetValueOrDefault("transB") == 0;
                case "Transpose":
                    return false;
            }
        }

        return false; // PyTorch's own layout
    }

    private static BertParameter Require(Dictionary<string, BertParameter> parameters, string name) =>
        parameters.TryGetValue(name, out var p)
            ? p
            : throw new OnnxConversionException(
                $"the model has no parameter '{name}' (found {parameters.Count} BERT parameters): it is not a BERT encoder in the layout of Hugging Face's BertModel");

    // The heads appear only in the graph: in the shape [batch, sequence, heads, head size] the attention reshapes to.
    private static int? InferHeads(OnnxGraph graph, int hidden)
    {
        var votes = new Dictionary<long, int>();
        foreach (var node in graph.Nodes)
        {
            if (node.OpType == "Reshape" && node.Inputs.Count > 1 && graph.ConstantIntegers(node.Inputs[1]) is { Length: 4 } shape
                && shape[2] > 0 && shape[3] > 0 && shape[2] * shape[3] == hidden)
            {
                votes[shape[2]] = votes.GetValueOrDefault(shape[2]) + 1;
            }
            else if (node.OpType == "Concat")
            {
                var constants = node.Inputs.Select(graph.ConstantIntegers).Where(v => v is { Length: 1 }).Select(v => v![0]).ToList();
                if (constants.Count == 2 && constants[0] > 0 && constants[1] > 0 && constants[0] * constants[1] == hidden)
                {
                    votes[constants[0]] = votes.GetValueOrDefault(constants[0]) + 1;
                }
            }
        }

        return votes.Count == 0 ? null : (int)votes.MaxBy(v => v.Value).Key;
    }

    // LayerNormalization's epsilon attribute, or in a decomposed LayerNorm the constant added before the square root.
    private static float? InferEpsilon(OnnxGraph graph, Dictionary<string, OnnxNode> producers)
    {
        foreach (var node in graph.Nodes)
        {
            if (node.OpType == "LayerNormalization")
            {
                return node.Floats.GetValueOrDefault("epsilon", 1e-5f);
            }

            if (node.OpType == "Sqrt" && producers.TryGetValue(node.Inputs[0], out var add) && add.OpType == "Add")
            {
                foreach (var input in add.Inputs)
                {
                    if (graph.ConstantFloat(input) is { } eps and > 0 and < 1e-2f)
                    {
                        return eps;
                    }
                }
            }
        }

        return null;
    }

    [GeneratedRegex(@"^(?:.*\.)?((?:embeddings|encoder)\..+)$")]
    private static partial Regex CanonicalName();

    [GeneratedRegex(@"^encoder\.layer\.(\d+)\.")]
    private static partial Regex LayerIndex();
}
