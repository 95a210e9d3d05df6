using System.Text;
using LLama;
using Rag.Core.Documents;

namespace Rag.LLamaSharp;

/// <summary>Counts tokens with a LLamaSharp model's own tokenizer (no BOS, special tokens as text).</summary>
public sealed class LLamaSharpTokenCounter : ITokenCounter
{
    private readonly LLamaWeights _weights;

    /// <summary>Creates a counter over <paramref name="weights"/>, named after the model file.</summary>
    public LLamaSharpTokenCounter(LLamaWeights weights, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        _weights = weights;
        Name = "gguf:" + Path.GetFileName(modelPath);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int CountTokens(ReadOnlySpan<char> text) =>
        text.IsEmpty ? 0 : _weights.Tokenize(text.ToString(), false, false, Encoding.UTF8).Length;
}
