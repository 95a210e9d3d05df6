using Rag.Core.Documents;

namespace Rag.Ingest.Chunking.Internal;

/// <summary>Turns spans into <see cref="Chunk"/> records carrying the document's id, title, metadata and heading path.</summary>
internal static class ChunkFactory
{
    public static Chunk Create(RagDocument document, int ordinal, TextSpan span, IReadOnlyList<string> headingPath) =>
        new(Chunk.MakeId(document.Id, ordinal), document.Id, ordinal, document.Text.Substring(span.Start, span.Length), span.Start, span.Length)
        {
            Title = document.Title,
            HeadingPath = headingPath,
            Metadata = document.Metadata ?? EmptyMetadata,
        };

    /// <summary>Heading path of the section containing <paramref name="offset"/> (sections are in document order).</summary>
    public static IReadOnlyList<string> HeadingPathAt(RagDocument document, int offset)
    {
        IReadOnlyList<string> path = [];
        foreach (var section in document.Sections)
        {
            if (section.Start > offset)
            {
                break;
            }

            path = section.HeadingPath;
        }

        return path;
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();

    public static void Validate(RagDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (string.IsNullOrEmpty(document.Id))
        {
            throw new ArgumentException("The document has no id.", nameof(document));
        }

        foreach (var section in document.Sections)
        {
            if (section.Start < 0 || section.Length < 0 || section.Start + section.Length > document.Text.Length)
            {
                throw new ArgumentException(
                    $"Document '{document.Id}' has a section [{section.Start}, +{section.Length}) outside its text of {document.Text.Length} characters.",
                    nameof(document));
            }
        }
    }
}
