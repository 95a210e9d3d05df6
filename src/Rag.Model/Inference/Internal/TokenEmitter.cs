using System.Text;

namespace Rag.Model.Inference.Internal;

/// <summary>
/// The one per-token emitter of every generation, shared by <see cref="LlamaContext"/> and the batch scheduler: end of
/// generation check, piece bytes to UTF-8 text (a character split across tokens waits for its last byte), stop strings,
/// the token budget, and the finish reason. Callers sample, render the piece and feed the token back into their own
/// context; everything between the sampled token and the <see cref="GeneratedToken"/> a consumer sees happens here.
/// </summary>
internal sealed class TokenEmitter
{
    private readonly GenerationOptions _options;
    private readonly StopStringMatcher? _stops;
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();

    public TokenEmitter(GenerationOptions options)
    {
        _options = options;
        _stops = options.StopStrings.Count > 0 ? new StopStringMatcher(options.StopStrings) : null;
    }

    /// <summary>Tokens sampled so far.</summary>
    public int Generated { get; private set; }

    /// <summary>
    /// Emits one sampled token. The result's <see cref="GeneratedToken.Finish"/> is set when generation ends with this
    /// token (end of generation, a stop string, or the token budget); when it is null the caller feeds the token back,
    /// or, if its context has no room for it, ends with <see cref="ContextFull"/>.
    /// </summary>
    /// <param name="token">The sampled token.</param>
    /// <param name="isEndOfGeneration">Whether the vocabulary marks the token as end of generation.</param>
    /// <param name="piece">The token's text as UTF-8 bytes (may hold part of a character).</param>
    public GeneratedToken Emit(int token, bool isEndOfGeneration, ReadOnlySpan<byte> piece)
    {
        Generated++;
        if (!_options.IgnoreEndOfGeneration && isEndOfGeneration)
        {
            return new GeneratedToken(token, Tail(), FinishReason.EndOfGeneration);
        }

        var text = Decode(piece, flush: false);
        if (_stops is not null)
        {
            text = _stops.Push(text, out var stopped);
            if (stopped)
            {
                return new GeneratedToken(token, text, FinishReason.StopString);
            }
        }

        return Generated >= _options.MaxTokens
            ? new GeneratedToken(token, text + Tail(), FinishReason.MaxTokens)
            : new GeneratedToken(token, text);
    }

    /// <summary>Ends generation with <paramref name="emitted"/> because the context cannot take it: the held-back text goes with it.</summary>
    public GeneratedToken ContextFull(GeneratedToken emitted) => emitted with { Text = emitted.Text + Tail(), Finish = FinishReason.ContextFull };

    private string Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        Span<char> chars = stackalloc char[bytes.Length + 4]; // + the up to 3 bytes of a character the decoder holds
        var n = _decoder.GetChars(bytes, chars, flush);
        return n == 0 ? string.Empty : new string(chars[..n]);
    }

    // What is held back at the end: an incomplete character and text that could still have become a stop string.
    private string Tail()
    {
        var rest = Decode([], flush: true);
        return _stops is null ? rest : _stops.Push(rest, out _) + _stops.Flush();
    }
}
