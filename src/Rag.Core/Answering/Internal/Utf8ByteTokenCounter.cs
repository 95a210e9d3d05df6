using System.Text;
using Rag.Core.Documents;

namespace Rag.Core.Answering.Internal;

/// <summary>
/// The answerer's fallback when no model tokenizer is given: the UTF-8 byte count, plus one for a leading space marker.
/// Byte-level BPE and SentencePiece with byte fallback never use more tokens than that, so a budget counted this way is
/// never exceeded, only under-used.
/// </summary>
internal sealed class Utf8ByteTokenCounter : ITokenCounter
{
    public static readonly Utf8ByteTokenCounter Instance = new();

    public string Name => "utf8-bytes";

    public int CountTokens(ReadOnlySpan<char> text) => text.IsEmpty ? 0 : Encoding.UTF8.GetByteCount(text) + 1;
}
