namespace Rag.Model.Inference;

/// <summary>One entry of a multi-sequence batch for <see cref="LlamaContext.Decode(ReadOnlySpan{BatchToken})"/>.</summary>
/// <param name="Token">Token id.</param>
/// <param name="Position">Position of the token in its sequence.</param>
/// <param name="Sequence">Sequence id, in [0, SequenceCount).</param>
/// <param name="Output">Whether to compute logits for this token.</param>
public readonly record struct BatchToken(int Token, int Position, int Sequence, bool Output);
