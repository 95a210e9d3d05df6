namespace Rag.Tools.Synthetic;

/// <summary>What a synthetic model or adapter writer produced.</summary>
/// <param name="Path">The file written (null when written to a stream).</param>
/// <param name="Architecture">The <c>general.architecture</c> value.</param>
/// <param name="FileSizeBytes">Bytes written.</param>
/// <param name="ParameterCount">Number of weights in all tensors.</param>
/// <param name="TensorCount">Number of tensors.</param>
/// <param name="VocabSize">Tokens in the vocabulary (0 for adapters).</param>
public sealed record SyntheticModelResult(string? Path, string Architecture, long FileSizeBytes, long ParameterCount, int TensorCount, int VocabSize);
