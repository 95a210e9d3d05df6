using System.ComponentModel.DataAnnotations;

namespace Rag.Core.Retrieval;

/// <summary>Which retrieval stages run.</summary>
public enum RetrievalMode
{
    /// <summary>BM25 and vectors, fused.</summary>
    Hybrid = 0,

    /// <summary>BM25 only.</summary>
    Bm25 = 1,

    /// <summary>Vectors only.</summary>
    Dense = 2,
}

/// <summary>How BM25 and vector rankings are combined.</summary>
public enum FusionMethod
{
    /// <summary>Reciprocal rank fusion: sum of 1 / (k + rank).</summary>
    Rrf = 0,

    /// <summary>Weighted sum of min-max-normalized scores (0..1 per list).</summary>
    WeightedMinMax = 1,
}

/// <summary>
/// Options of retrieval (<see cref="HybridRetriever"/>, <see cref="RerankingRetriever"/>), bound from the <c>Rag:Retrieval</c>
/// configuration section. Defaults follow Anserini and BEIR. The indexes' own settings (BM25 parameters, vector backend) are
/// <see cref="Storage.IndexStoreOptions"/> (<c>Rag:Index</c>).
/// </summary>
public sealed class RetrievalOptions
{
    /// <summary>Stages to run. Default <see cref="RetrievalMode.Hybrid"/>.</summary>
    public RetrievalMode Mode { get; set; } = RetrievalMode.Hybrid;

    /// <summary>Fusion of the two rankings. Default <see cref="FusionMethod.Rrf"/> (raw-score averaging is known to be poor).</summary>
    public FusionMethod Fusion { get; set; } = FusionMethod.Rrf;

    /// <summary>RRF constant k. Default 60 (Cormack et al. 2009).</summary>
    [Range(0, 10_000)]
    public int RrfK { get; set; } = 60;

    /// <summary>Weight of the normalized BM25 score in <see cref="FusionMethod.WeightedMinMax"/>. Default 0.5.</summary>
    [Range(0.0, 1000.0)]
    public double Bm25Weight { get; set; } = 0.5;

    /// <summary>Weight of the normalized vector score in <see cref="FusionMethod.WeightedMinMax"/>. Default 0.5.</summary>
    [Range(0.0, 1000.0)]
    public double VectorWeight { get; set; } = 0.5;

    /// <summary>Candidates taken from BM25 before fusion. Default 100.</summary>
    [Range(1, 100_000)]
    public int Bm25TopK { get; set; } = 100;

    /// <summary>Candidates taken from the vector index before fusion. Default 100.</summary>
    [Range(1, 100_000)]
    public int VectorTopK { get; set; } = 100;

    /// <summary>Hits returned. Default 10.</summary>
    [Range(1, 100_000)]
    public int TopK { get; set; } = 10;

    /// <summary>
    /// Rerank the fused candidates with the registered <see cref="IReranker"/> (a reranker model, <c>Rag:Model:Reranker</c>):
    /// the DI pipeline adds a <see cref="RerankingRetriever"/>, and fails at resolve time when no reranker is configured.
    /// </summary>
    /// <value>Default false.</value>
    public bool Rerank { get; set; }

    /// <summary>Fused candidates rescored by the reranker when reranking; 0 disables it.</summary>
    /// <value>Default 20.</value>
    [Range(0, 10_000)]
    public int RerankTopN { get; set; } = 20;

    /// <summary>Throws <see cref="ValidationException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        if (!Enum.IsDefined(Mode))
        {
            throw new ValidationException($"RetrievalOptions.Mode has an unknown value {Mode}.");
        }

        if (!Enum.IsDefined(Fusion))
        {
            throw new ValidationException($"RetrievalOptions.Fusion has an unknown value {Fusion}.");
        }

        if (Fusion == FusionMethod.WeightedMinMax && Bm25Weight + VectorWeight <= 0)
        {
            throw new ValidationException("RetrievalOptions: Bm25Weight + VectorWeight must be above 0 for weighted fusion.");
        }
    }
}
