using System.Text;
using Rag.Core.Documents;

namespace Rag.Model.Inference;

/// <summary>
/// <see cref="ITokenCounter"/> over a loaded model's own vocabulary, so prompt budgets (the answerer's sources) and
/// chunk sizes are counted in the tokens the model will actually see. Special-token text is counted as the model
/// parses it in chat prompts.
/// </summary>
public sealed class LlamaTokenCounter : ITokenCounter
{
    private readonly LlamaModel _model;

    /// <summary>Creates a counter over <paramref name="model"/> (not owned).</summary>
    public LlamaTokenCounter(LlamaModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        Name = "llama:" + System.IO.Path.GetFileName(model.Path);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int CountTokens(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return 0;
        }

        var bytes = new byte[Encoding.UTF8.GetByteCount(text)];
        Encoding.UTF8.GetBytes(text, bytes);
        return _model.Tokenize(bytes, addSpecial: false, parseSpecial: true).Length;
    }
}
