using Rag.Model.Gguf;

namespace Rag.Tools.Synthetic;

/// <summary>Options for writing a synthetic random-weight model.</summary>
public sealed class SyntheticModelOptions
{
    /// <summary>Seed of the weights; the same seed, shape and options give a byte-identical file. Default 42.</summary>
    public ulong Seed { get; set; } = 42;

    /// <summary>Type of the matrices and embedding tables: F16 (default), F32 or BF16. Norm vectors and biases are always F32, as converters write them.</summary>
    public GgmlType WeightType { get; set; } = GgmlType.F16;

    /// <summary>Standard deviation of the random matrices. Default 0.02, the usual initializer scale; it keeps activations finite through deep stacks.</summary>
    public float WeightStd { get; set; } = 0.02f;

    /// <summary>
    /// The tokenizer to embed; null picks a built-in one: <see cref="GgufTokenizer.ByteFallbackSpm"/> for decoders,
    /// <see cref="GgufTokenizer.WordPiece"/> for BERT models. Use <see cref="GgufTokenizer.FromModel"/> to copy a real vocabulary.
    /// </summary>
    public GgufTokenizer? Tokenizer { get; set; }

    /// <summary>
    /// Chat template for decoders: null keeps the tokenizer's own template, or adds <see cref="ChatTemplates.Llama2"/> when it has none;
    /// an empty string writes no template; anything else is written as given (see <see cref="ChatTemplates.Resolve"/>).
    /// </summary>
    public string? ChatTemplate { get; set; }

    /// <summary>Extra metadata written after the standard keys (a key given here replaces the standard value), e.g. <c>general.license</c>.</summary>
    public IDictionary<string, GgufValue> ExtraMetadata { get; } = new Dictionary<string, GgufValue>(StringComparer.Ordinal);

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> naming the problem.</summary>
    public void Validate()
    {
        if (WeightType is not (GgmlType.F32 or GgmlType.F16 or GgmlType.BF16))
        {
            throw new ArgumentException($"WeightType must be F32, F16 or BF16, was {WeightType}; quantize the written model afterwards for other types.");
        }

        if (!(WeightStd > 0 && WeightStd < 10))
        {
            throw new ArgumentException($"WeightStd must be in (0, 10), was {WeightStd}.");
        }
    }
}
