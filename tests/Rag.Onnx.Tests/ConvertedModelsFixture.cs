using Rag.Model.Quantization;
using Rag.Model;
using Rag.Model.Embeddings;
using Rag.Model.Gguf.Conversion;
using Rag.Model.Native;
using Rag.Onnx.Embeddings;

namespace Rag.Onnx.Tests;

/// <summary>
/// The built-in ONNX models converted to GGUF by our converter (MiniLM at F32 and Q8_0, arctic-xs at F32), in a temp
/// folder, with llama.cpp loaded; and the ONNX generators to compare them with.
/// </summary>
public sealed class ConvertedModelsFixture : IDisposable
{
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("rag-onnx-gguf-").FullName;

    public ConvertedModelsFixture()
    {
        LlamaBackend.Initialize();
        MiniLmF32 = Convert(OnnxEmbeddingModel.MiniLm, LlamaQuantizationType.F32);
        MiniLmQ8 = Convert(OnnxEmbeddingModel.MiniLm, LlamaQuantizationType.Q8_0);
        ArcticF32 = Convert(OnnxEmbeddingModel.ArcticXs, LlamaQuantizationType.F32);
        MiniLm = new OnnxEmbeddingGenerator(OnnxEmbeddingModel.MiniLm, new OnnxEmbeddingOptions { Threads = 1 });
        Arctic = new OnnxEmbeddingGenerator(OnnxEmbeddingModel.ArcticXs, new OnnxEmbeddingOptions { Threads = 1 });
    }

    public OnnxBertConversionResult MiniLmF32 { get; }

    public OnnxBertConversionResult MiniLmQ8 { get; }

    public OnnxBertConversionResult ArcticF32 { get; }

    public OnnxEmbeddingGenerator MiniLm { get; }

    public OnnxEmbeddingGenerator Arctic { get; }

    public string Directory => _dir;

    /// <summary>The converter's input for a built-in model, as the CLI builds it.</summary>
    public static OnnxBertSource Source(OnnxEmbeddingModel model) => new(model.ReadWeights(), model.ReadVocabulary(), model.ModelId)
    {
        Pooling = model.Pooling == OnnxPooling.Cls ? LlamaPoolingType.Cls : LlamaPoolingType.Mean,
        QueryPrefix = model.QueryPrefix,
        DocumentPrefix = model.DocumentPrefix,
        MaxTokens = model.MaxTokens,
        License = "apache-2.0",
    };

    public void Dispose()
    {
        MiniLm.Dispose();
        Arctic.Dispose();
        System.IO.Directory.Delete(_dir, recursive: true);
    }

    private OnnxBertConversionResult Convert(OnnxEmbeddingModel model, LlamaQuantizationType type) =>
        OnnxBertConverter.Convert(Source(model), Path.Combine(_dir, $"{model.Name}-{type}.gguf".ToLowerInvariant()), new OnnxBertConversionOptions { Type = type, QuantizeThreads = 1 });
}
