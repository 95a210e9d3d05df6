using Rag.Core.Indexing;
using Rag.Ingest.Chunking;
using Rag.Ingest.Loaders;
using Rag.Ingest.Pipeline;

namespace Rag.Ingest;

/// <summary>All ingestion settings, bound from configuration section <c>Rag:Ingest</c> by the host.</summary>
public sealed class RagIngestOptions
{
    /// <summary>Index store folder. Default <c>.rag/index</c> (relative to the current directory).</summary>
    public string IndexDirectory { get; set; } = Path.Combine(".rag", "index");

    /// <summary>Chunking settings.</summary>
    public ChunkingOptions Chunking { get; set; } = new();

    /// <summary>Loader limits (file size, PDF timeout, JSON fields).</summary>
    public LoaderOptions Loaders { get; set; } = new();

    /// <summary>Batching and commit settings.</summary>
    public IngestionOptions Ingestion { get; set; } = new();

    /// <summary>BM25 index settings.</summary>
    public LuceneIndexOptions Lucene { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> (or a validation exception) naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(IndexDirectory))
        {
            throw new ArgumentException("RagIngestOptions.IndexDirectory must be set.");
        }

        ArgumentNullException.ThrowIfNull(Chunking, nameof(Chunking));
        ArgumentNullException.ThrowIfNull(Loaders, nameof(Loaders));
        ArgumentNullException.ThrowIfNull(Ingestion, nameof(Ingestion));
        ArgumentNullException.ThrowIfNull(Lucene, nameof(Lucene));
        Chunking.Validate();
        Loaders.Validate();
        Ingestion.Validate();
        Lucene.Validate();
    }
}
