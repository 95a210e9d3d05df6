using System.Runtime.CompilerServices;
using Rag.Ingest.Loaders.Internal;

namespace Rag.Ingest.Loaders;

/// <summary>
/// Plain text (<c>.txt</c>, <c>.text</c>, <c>.log</c>, <c>.csv</c>). The text is taken literally: it is not parsed as markdown,
/// because markdown's rules (emphasis, escapes, indented code) would alter ordinary text. Use <c>.md</c> for markdown.
/// </summary>
public sealed class PlainTextLoader(LoaderOptions options) : IDocumentLoader
{
    /// <inheritdoc />
    public string Format => "text";

    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".txt", ".text", ".log", ".csv", ".tsv", ".rst"];

    /// <inheritdoc />
    public async IAsyncEnumerable<DocumentLoadResult> LoadAsync(DocumentSource source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var decoded = await SourceFile.ReadTextAsync(source, options, cancellationToken).ConfigureAwait(false);
        string text = TextNormalizer.Normalize(decoded.Text);
        LoaderMetadata.ThrowIfEmpty(source, text);
        var metadata = LoaderMetadata.For(source, Format);
        LoaderMetadata.AddEncoding(metadata, decoded);
        yield return DocumentLoadResult.Success(new Core.Documents.RagDocument(source.DocumentId, text, null, metadata));
    }
}
