using System.ComponentModel.DataAnnotations;

namespace Rag.Ingest.Pipeline;

/// <summary>Batching, backpressure and commit settings of <see cref="IngestionPipeline"/>.</summary>
public sealed class IngestionOptions
{
    /// <summary>
    /// Documents changed per commit. A commit rewrites the vector file and the document table, so larger batches ingest
    /// faster; a crash loses at most the uncommitted batch (recovery returns to the last commit). Default 500.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int CommitEveryDocuments { get; set; } = 500;

    /// <summary>Chunk texts per embedding call. Default 64.</summary>
    [Range(1, 100_000)]
    public int EmbeddingBatchSize { get; set; } = 64;

    /// <summary>Loaded documents buffered between the loading and the indexing stage (bounded for backpressure). Default 64.</summary>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 64;

    /// <summary>Embed "title\ntext" rather than the chunk text alone, so the title informs every chunk's vector. Default true.</summary>
    public bool EmbedTitle { get; set; } = true;

    /// <summary>L2-normalize embeddings before indexing (the vector index ranks by inner product). Default true.</summary>
    public bool NormalizeEmbeddings { get; set; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (CommitEveryDocuments < 1)
        {
            throw new ArgumentException($"IngestionOptions.CommitEveryDocuments must be at least 1 (was {CommitEveryDocuments}).");
        }

        if (EmbeddingBatchSize < 1)
        {
            throw new ArgumentException($"IngestionOptions.EmbeddingBatchSize must be at least 1 (was {EmbeddingBatchSize}).");
        }

        if (QueueCapacity < 1)
        {
            throw new ArgumentException($"IngestionOptions.QueueCapacity must be at least 1 (was {QueueCapacity}).");
        }
    }
}
