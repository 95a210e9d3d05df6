using Rag.Model.Embeddings;

namespace Rag.Model.Gguf.Conversion;

/// <summary>
/// What <see cref="OnnxBertConverter"/> converts: a BERT-family sentence-embedding model as ONNX bytes, its WordPiece
/// vocabulary, and the settings llama.cpp cannot read from the graph (pooling, prefixes, the length it was trained at).
/// </summary>
/// <param name="Model">The serialized ONNX model (weights inside the file).</param>
/// <param name="Vocabulary">The <c>vocab.txt</c> lines: the line number is the token id, <c>##</c> marks a continuation.</param>
/// <param name="Name">The model's name, written as <c>general.name</c>.</param>
public sealed record OnnxBertSource(ReadOnlyMemory<byte> Model, IReadOnlyList<string> Vocabulary, string Name)
{
    /// <summary>Pooling written as <c>bert.pooling_type</c>: <see cref="LlamaPoolingType.Mean"/> (default) or <see cref="LlamaPoolingType.Cls"/>.</summary>
    public LlamaPoolingType Pooling { get; init; } = LlamaPoolingType.Mean;

    /// <summary>Prefix for queries (asymmetric models), kept in <see cref="OnnxBertConverter.QueryPrefixKey"/>. Default none.</summary>
    public string QueryPrefix { get; init; } = string.Empty;

    /// <summary>Prefix for documents, kept in <see cref="OnnxBertConverter.DocumentPrefixKey"/>. Default none.</summary>
    public string DocumentPrefix { get; init; } = string.Empty;

    /// <summary>Longest input the model was trained for, kept in <see cref="OnnxBertConverter.MaxTokensKey"/>; null when it is the position table's length.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Licence of the weights (an SPDX id such as <c>apache-2.0</c>), written as <c>general.license</c>; null when unknown.</summary>
    public string? License { get; init; }
}
