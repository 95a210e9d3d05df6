namespace Rag.Ingest.Chunking;

/// <summary>
/// Counts tokens the way a model's tokenizer does, so chunks fit the embedding or chat model's context.
/// Rag.Model implements it over the loaded model's vocabulary; <see cref="TiktokenTokenCounter"/> is the fallback.
/// Implementations must be thread-safe.
/// </summary>
public interface ITokenCounter
{
    /// <summary>Identifies the tokenizer; part of the content hash, so changing tokenizers re-chunks documents.</summary>
    string Name { get; }

    /// <summary>Number of tokens <paramref name="text"/> encodes to (without special tokens such as BOS).</summary>
    int CountTokens(ReadOnlySpan<char> text);
}
