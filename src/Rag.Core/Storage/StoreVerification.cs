namespace Rag.Core.Storage;

/// <summary>Result of <see cref="IndexSnapshot.Verify"/>: whether both indexes and the document table hold the same chunks.</summary>
/// <param name="Generation">Committed generation checked.</param>
/// <param name="Documents">Documents in the document table.</param>
/// <param name="ManifestChunks">Chunk count recorded by the manifest.</param>
/// <param name="TableChunks">Chunks the document table lists.</param>
/// <param name="KeywordChunks">Chunks in the BM25 index (with duplicates, if any).</param>
/// <param name="DuplicateKeywordChunks">Chunk ids present more than once in the BM25 index.</param>
/// <param name="VectorCount">Vectors in the vector index (0 without one).</param>
/// <param name="MissingFromKeyword">Table chunks absent from the BM25 index.</param>
/// <param name="UnexpectedInKeyword">BM25 chunks the table does not list.</param>
/// <param name="MissingFromVectors">Table chunks without a vector (0 without a vector index).</param>
public sealed record StoreVerification(
    long Generation,
    int Documents,
    long ManifestChunks,
    long TableChunks,
    int KeywordChunks,
    int DuplicateKeywordChunks,
    long VectorCount,
    int MissingFromKeyword,
    int UnexpectedInKeyword,
    int MissingFromVectors)
{
    /// <summary>True when every count agrees and nothing is missing, unexpected or duplicated.</summary>
    public bool IsConsistent(bool expectVectors) =>
        ManifestChunks == TableChunks && KeywordChunks == TableChunks && DuplicateKeywordChunks == 0 &&
        MissingFromKeyword == 0 && UnexpectedInKeyword == 0 &&
        (!expectVectors || (VectorCount == TableChunks && MissingFromVectors == 0));
}
