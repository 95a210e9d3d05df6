namespace Rag.Ingest.Loaders;

/// <summary>Turns one file of a given format into one or more <see cref="Rag.Core.Documents.RagDocument"/>s.</summary>
public interface IDocumentLoader
{
    /// <summary>Short format name, for example <c>markdown</c>; stored in the <c>content_type</c> metadata.</summary>
    string Format { get; }

    /// <summary>File extensions handled, lower case with the dot, for example <c>.md</c>.</summary>
    IReadOnlyCollection<string> Extensions { get; }

    /// <summary>
    /// Loads the source. Whole-file problems throw <see cref="DocumentLoadException"/>; per-record problems of
    /// multi-record formats are yielded as failed results.
    /// </summary>
    IAsyncEnumerable<DocumentLoadResult> LoadAsync(DocumentSource source, CancellationToken cancellationToken = default);
}
