namespace Rag.Core.Documents;

/// <summary>
/// Counts tokens the way a model's tokenizer does, so chunks fit the embedding or chat model's context.
/// It lives in Rag.Core so Rag.Model can implement it over the loaded model's vocabulary; Rag.Ingest's
/// <c>TiktokenTokenCounter</c> (cl100k_base) is the fallback.
/// Implementations must be thread-safe.
/// </summary>
public interface ITokenCounter
{
    /// <summary>Identifies the tokenizer; part of the content hash, so changing tokenizers re-chunks documents.</summary>
    string Name { get; }

    /// <summary>Number of tokens <paramref name="text"/> encodes to (without special tokens such as BOS).</summary>
    int CountTokens(ReadOnlySpan<char> text);
}
