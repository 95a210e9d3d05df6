using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Rag.Onnx.Embeddings.Internal;

/// <summary>
/// Hugging Face BERT's basic split (BasicTokenizer / BertPreTokenizer): runs of characters between whitespace, with
/// every punctuation character a piece of its own, where punctuation is Unicode's P categories plus all ASCII
/// non-alphanumerics (so <c>$ + &lt; = &gt; ^ ` | ~</c> too). Other symbols (±, ≥, °, →) stay inside their word, as
/// there. Microsoft.ML.Tokenizers' own BERT pre-tokenizer (<c>\w+|\p{P}</c>) drops every symbol instead: "p &lt; 0.05"
/// lost its "&lt;" and "42±11" became "42 11", on about a third of SciFact's abstracts.
/// The five special tokens, lower-cased as the normalizer leaves them, stay whole.
/// </summary>
internal sealed partial class BertPreTokenizer : PreTokenizer
{
    public static BertPreTokenizer Instance { get; } = new();

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (Match m in Pieces().Matches(text))
        {
            yield return (m.Index, m.Length);
        }
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => PreTokenize(text.ToString());

    [GeneratedRegex(@"\[(?:cls|sep|pad|unk|mask)\]|[^\s\p{P}$+<=>^`|~]+|[\p{P}$+<=>^`|~]", RegexOptions.CultureInvariant)]
    private static partial Regex Pieces();
}
