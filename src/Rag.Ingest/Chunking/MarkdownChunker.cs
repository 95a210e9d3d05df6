using Rag.Core.Documents;
using Rag.Ingest.Chunking.Internal;

namespace Rag.Ingest.Chunking;

/// <summary>
/// Heading-aware chunking: the document is first split into its <see cref="RagDocument.Sections"/> (from the markdown,
/// HTML or docx headings); each section is chunked recursively on its own, so a chunk never mixes two sections and
/// carries its section's heading path. Text outside every section (if a caller built sections that leave gaps) is
/// chunked with the heading path of the section before it. A document without sections is chunked like
/// <see cref="RecursiveChunker"/> does.
/// </summary>
public sealed class MarkdownChunker : IChunker
{
    private readonly SpanSplitter _splitter;

    /// <summary>Creates the chunker; <paramref name="options"/> are validated.</summary>
    public MarkdownChunker(ChunkingOptions options, ITokenCounter? counter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _splitter = new SpanSplitter(counter ?? TiktokenTokenCounter.Default, options.MaxTokens, options.OverlapTokens, SplitLevel.Paragraph, sentenceOverlap: false);
    }

    /// <inheritdoc />
    public IReadOnlyList<Chunk> Split(RagDocument document)
    {
        ChunkFactory.Validate(document);
        var chunks = new List<Chunk>();
        IReadOnlyList<string> previousPath = [];
        int covered = 0;
        foreach (var section in document.Sections.OrderBy(s => s.Start))
        {
            if (section.Start > covered)
            {
                AddSegment(document, covered, section.Start, previousPath, chunks);
            }

            int start = Math.Max(section.Start, covered);
            AddSegment(document, start, section.Start + section.Length, section.HeadingPath, chunks);
            covered = Math.Max(covered, section.Start + section.Length);
            previousPath = section.HeadingPath;
        }

        if (covered < document.Text.Length)
        {
            AddSegment(document, covered, document.Text.Length, previousPath, chunks);
        }

        return chunks;
    }

    private void AddSegment(RagDocument document, int start, int end, IReadOnlyList<string> path, List<Chunk> chunks)
    {
        if (end <= start)
        {
            return;
        }

        foreach (var span in _splitter.Split(document.Text, start, end))
        {
            chunks.Add(ChunkFactory.Create(document, chunks.Count, span, path));
        }
    }
}
