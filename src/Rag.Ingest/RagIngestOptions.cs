using Rag.Ingest.Chunking;
using Rag.Ingest.Loaders;
using Rag.Ingest.Pipeline;

namespace Rag.Ingest;

/// <summary>
/// All ingestion settings, bound from the <c>Rag:Ingest</c> configuration section. The index folder and the BM25 settings
/// are the store's (<see cref="Core.Storage.IndexStoreOptions"/>, <c>Rag:Index</c>), shared with retrieval.
/// </summary>
public sealed class RagIngestOptions
{
    /// <summary>Chunking settings.</summary>
    public ChunkingOptions Chunking { get; set; } = new();

    /// <summary>Loader limits (file size, PDF timeout, JSON fields).</summary>
    public LoaderOptions Loaders { get; set; } = new();

    /// <summary>Batching and commit settings.</summary>
    public IngestionOptions Ingestion { get; set; } = new();

    /// <summary>
    /// Index keywords only, without vectors, so no embedding model is needed. Otherwise ingestion needs a registered
    /// embedding generator and fails at resolve time without one.
    /// </summary>
    /// <value>Default false.</value>
    public bool KeywordOnly { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> (or a validation exception) naming the first invalid setting.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Chunking, nameof(Chunking));
        ArgumentNullException.ThrowIfNull(Loaders, nameof(Loaders));
        ArgumentNullException.ThrowIfNull(Ingestion, nameof(Ingestion));
        Chunking.Validate();
        Loaders.Validate();
        Ingestion.Validate();
    }
}
