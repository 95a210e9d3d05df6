namespace Rag.Ingest.Pipeline;

/// <summary>What happened to one document.</summary>
public enum IngestStatus
{
    /// <summary>New or changed content was chunked, embedded and committed.</summary>
    Indexed = 0,

    /// <summary>The content hash matched the indexed version: nothing was written.</summary>
    Unchanged = 1,

    /// <summary>The document could not be loaded or indexed; <see cref="IngestResult.Error"/> says why. Its previous version, if any, stays.</summary>
    Failed = 2,

    /// <summary>The document and all its chunks were removed from both indexes.</summary>
    Deleted = 3,
}
