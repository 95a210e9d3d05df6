using Rag.Model.Embeddings;

using Rag.Model.Quantization;

namespace Rag.Model.Gguf.Conversion;

/// <summary>What <see cref="OnnxBertConverter.Convert"/> wrote.</summary>
/// <param name="Path">The GGUF file.</param>
/// <param name="Name">The model name.</param>
/// <param name="Type">The weight type of the file.</param>
/// <param name="FileSizeBytes">Size of the file.</param>
/// <param name="TensorCount">Tensors written.</param>
/// <param name="ParameterCount">Weights in them.</param>
/// <param name="VocabularySize">Tokens in the vocabulary.</param>
/// <param name="Layers">Encoder blocks.</param>
/// <param name="EmbeddingLength">Hidden size (vector dimension).</param>
/// <param name="HeadCount">Attention heads.</param>
/// <param name="FeedForwardLength">Feed-forward inner size.</param>
/// <param name="ContextLength">Positions (rows of the position table).</param>
/// <param name="Pooling">Pooling written into the file.</param>
/// <param name="LayerNormEpsilon">LayerNorm epsilon written into the file.</param>
/// <param name="Producer">The ONNX producer (for example <c>pytorch 1.10</c>).</param>
public sealed record OnnxBertConversionResult(
    string Path,
    string Name,
    LlamaQuantizationType Type,
    long FileSizeBytes,
    int TensorCount,
    long ParameterCount,
    int VocabularySize,
    int Layers,
    int EmbeddingLength,
    int HeadCount,
    int FeedForwardLength,
    int ContextLength,
    LlamaPoolingType Pooling,
    float LayerNormEpsilon,
    string Producer);
