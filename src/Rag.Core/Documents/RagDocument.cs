namespace Rag.Core.Documents;

/// <summary>
/// A loaded source document: normalized plain text plus the structure a loader could recover.
/// </summary>
/// <param name="Id">Stable document id (a path relative to the ingest root, or a record id).</param>
/// <param name="Text">Normalized text content.</param>
/// <param name="Title">Title, when the format has one.</param>
/// <param name="Metadata">Free-form string metadata (source path, content type, headings, …).</param>
public sealed record RagDocument(
    string Id,
    string Text,
    string? Title = null,
    IReadOnlyDictionary<string, string>? Metadata = null)
{
    /// <summary>Sections recovered by the loader (heading path and character span), in document order.</summary>
    public IReadOnlyList<DocumentSection> Sections { get; init; } = [];
}

/// <summary>A heading-delimited span of a document's text.</summary>
/// <param name="HeadingPath">Headings from the outermost to this section, for example <c>["Install", "Linux"]</c>.</param>
/// <param name="Start">Start offset in <see cref="RagDocument.Text"/>.</param>
/// <param name="Length">Length in characters.</param>
public sealed record DocumentSection(IReadOnlyList<string> HeadingPath, int Start, int Length);
