using Rag.Model.Quantization;

namespace Rag.Model.Gguf.Conversion;

/// <summary>How <see cref="OnnxBertConverter"/> writes the GGUF file.</summary>
public sealed class OnnxBertConversionOptions
{
    /// <summary>
    /// The weight type: <see cref="LlamaQuantizationType.F32"/> (exact), <see cref="LlamaQuantizationType.F16"/>, or any
    /// quantized type, which is made from the F32 file by <see cref="LlamaQuantizer"/> (needs the llama.cpp libraries).
    /// Default F32.
    /// </summary>
    public LlamaQuantizationType Type { get; set; } = LlamaQuantizationType.F32;

    /// <summary>Attention heads, when they cannot be read from the graph's reshapes. Default null (read from the graph).</summary>
    public int? HeadCount { get; set; }

    /// <summary>LayerNorm epsilon. Default null: read from the graph, else BERT's 1e-12.</summary>
    public float? LayerNormEpsilon { get; set; }

    /// <summary>Threads of the quantizer; 0 = all. Default 0.</summary>
    public int QuantizeThreads { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Type))
        {
            throw new ArgumentException($"OnnxBertConversionOptions.Type has an unknown value {Type}.");
        }

        if (HeadCount is < 1)
        {
            throw new ArgumentException($"OnnxBertConversionOptions.HeadCount must be positive, was {HeadCount}.");
        }

        if (LayerNormEpsilon is not null and (<= 0 or >= 1))
        {
            throw new ArgumentException($"OnnxBertConversionOptions.LayerNormEpsilon must be in (0, 1), was {LayerNormEpsilon}.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(QuantizeThreads);
    }
}
