using Rag.Core.Documents;

namespace Rag.Core.Retrieval;

/// <summary>
/// A retrieved chunk with the score and rank from every stage, for explanation. Ranks count from 1; a stage that did not
/// return the chunk leaves its fields null.
/// </summary>
/// <param name="Chunk">The chunk.</param>
/// <param name="Score">Final score: the rerank score when reranked, else the fused score.</param>
public sealed record RetrievalHit(Chunk Chunk, double Score)
{
    /// <summary>BM25 score.</summary>
    public float? Bm25Score { get; init; }

    /// <summary>Rank in the BM25 list.</summary>
    public int? Bm25Rank { get; init; }

    /// <summary>Vector similarity (inner product).</summary>
    public float? VectorScore { get; init; }

    /// <summary>Rank in the vector list.</summary>
    public int? VectorRank { get; init; }

    /// <summary>Fused score (RRF or weighted min-max; in single-stage modes the stage's own score).</summary>
    public double FusedScore { get; init; }

    /// <summary>Rank after fusion.</summary>
    public int FusedRank { get; init; }

    /// <summary>Reranker score, when the hit was reranked.</summary>
    public float? RerankScore { get; init; }
}
