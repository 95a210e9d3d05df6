using Rag.Model.Native;
using Rag.Tools.Synthetic;

namespace Rag.Model.Tests.Serving;

/// <summary>Synthetic BERT embedding and reranker models written by our GGUF writer into a temp folder.</summary>
public sealed class BertModelsFixture : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rag-serving-bert-" + Guid.NewGuid().ToString("N"));

    public BertModelsFixture()
    {
        LlamaBackend.Initialize();
        Directory.CreateDirectory(_dir);
        var options = new SyntheticModelOptions { WeightType = Rag.Model.Gguf.GgmlType.F32, WeightStd = 0.05f };
        var small = BertShape.TinyEmbedding with { BlockCount = 2, EmbeddingLength = 128, HeadCount = 4, FeedForwardLength = 256 };
        EmbeddingPath = Path.Combine(_dir, "bert-embed.gguf");
        SyntheticModelWriter.WriteBert(EmbeddingPath, small, options);
        RerankerPath = Path.Combine(_dir, "bert-rerank.gguf");
        SyntheticModelWriter.WriteBert(RerankerPath, small with { Pooling = GgufPoolingType.Rank }, options);
        Embedding = LlamaModel.Load(EmbeddingPath);
        Reranker = LlamaModel.Load(RerankerPath);
    }

    public string EmbeddingPath { get; }

    public string RerankerPath { get; }

    public LlamaModel Embedding { get; }

    public LlamaModel Reranker { get; }

    public void Dispose()
    {
        Embedding.Dispose();
        Reranker.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
