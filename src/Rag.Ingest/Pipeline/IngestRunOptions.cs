namespace Rag.Ingest.Pipeline;

/// <summary>Per-run choices of an ingestion (<see cref="IngestionPipeline.IngestPathsAsync"/>, <see cref="IngestionPipeline.IngestAsync(IAsyncEnumerable{Core.Documents.RagDocument}, IngestRunOptions?, CancellationToken)"/>).</summary>
public sealed record IngestRunOptions
{
    /// <summary>
    /// The folder document ids are relative to (paths only; see <see cref="Loaders.DocumentIds"/>). Null uses the root the
    /// index recorded when it was first filled, else the common base of the inputs. A root other than the recorded one
    /// needs <see cref="Reindex"/> (every id would change).
    /// </summary>
    public string? Root { get; init; }

    /// <summary>
    /// Keep documents whose files are gone (paths only). By default a run mirrors its inputs: documents from a given
    /// folder (or JSON records of a given file) that this run did not find are removed in the same commit, and reported
    /// as <see cref="IngestStatus.Deleted"/>. A file that fails to load keeps its previous version either way.
    /// </summary>
    public bool KeepMissing { get; init; }

    /// <summary>
    /// Rebuild the index from this run's inputs with the current settings (embedder, analyzer, chunking, root), instead of
    /// failing when they differ from the ones the index was built with. Everything else is dropped. Readers keep seeing the
    /// old index, and a crash returns to it, until the rebuild commits at the end of the run.
    /// </summary>
    public bool Reindex { get; init; }
}
