using Microsoft.ML.Tokenizers;
using Rag.Core.Documents;

namespace Rag.Ingest.Chunking;

/// <summary>
/// The fallback <see cref="ITokenCounter"/>: OpenAI's <c>cl100k_base</c> BPE through Microsoft.ML.Tokenizers. Its vocabulary
/// ships inside the Microsoft.ML.Tokenizers.Data.Cl100kBase package, so it works offline. Counts from another model's
/// tokenizer differ (LLaMA-2's SentencePiece vocabulary gives roughly 1.1–1.3× as many tokens on English text), so
/// configure the model's own counter when chunk sizes must match a model's context exactly.
/// </summary>
public sealed class TiktokenTokenCounter : ITokenCounter
{
    private static readonly Lazy<TiktokenTokenCounter> Shared = new(() => new TiktokenTokenCounter());
    private readonly Tokenizer _tokenizer;

    /// <summary>Loads the <c>cl100k_base</c> vocabulary (about 100 ms, once; prefer <see cref="Default"/>).</summary>
    public TiktokenTokenCounter() => _tokenizer = TiktokenTokenizer.CreateForEncoding("cl100k_base");

    /// <summary>A process-wide instance (the vocabulary is loaded once).</summary>
    public static TiktokenTokenCounter Default => Shared.Value;

    /// <inheritdoc />
    public string Name => "tiktoken:cl100k_base";

    /// <inheritdoc />
    public int CountTokens(ReadOnlySpan<char> text) => text.IsEmpty ? 0 : _tokenizer.CountTokens(text);
}
