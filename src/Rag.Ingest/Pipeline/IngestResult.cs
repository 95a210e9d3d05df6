namespace Rag.Ingest.Pipeline;

/// <summary>The outcome for one document (or one record of a multi-record file).</summary>
/// <param name="DocumentId">Document id, or the source locator when loading failed before an id was known.</param>
/// <param name="Status">What happened.</param>
/// <param name="ChunkCount">Chunks written (<see cref="IngestStatus.Indexed"/>) or held (<see cref="IngestStatus.Unchanged"/>).</param>
/// <param name="Error">Why it failed, for <see cref="IngestStatus.Failed"/>.</param>
/// <param name="Generation">Store generation that holds the result (the commit it was part of).</param>
public sealed record IngestResult(string DocumentId, IngestStatus Status, int ChunkCount = 0, string? Error = null, long Generation = 0);
