using Rag.Core.Documents;

namespace Rag.Ingest.Loaders;

/// <summary>
/// One outcome of loading: a document, or the reason a document (or a record of a multi-record file) could not be loaded.
/// Loaders report per-record failures this way so one bad record never stops the rest of a file or batch.
/// </summary>
/// <param name="SourceId">Document id when known, else the source path (plus a record locator such as <c>:line 12</c>).</param>
/// <param name="Document">The loaded document, or <see langword="null"/> on failure.</param>
/// <param name="Error">Why loading failed, or <see langword="null"/> on success.</param>
public sealed record DocumentLoadResult(string SourceId, RagDocument? Document, string? Error)
{
    /// <summary>True when <see cref="Document"/> is set.</summary>
    public bool Succeeded => Document is not null;

    /// <summary>A successful load.</summary>
    public static DocumentLoadResult Success(RagDocument document) => new(document.Id, document, null);

    /// <summary>A failed load.</summary>
    public static DocumentLoadResult Failure(string sourceId, string error) => new(sourceId, null, error);
}
