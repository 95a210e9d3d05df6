using Rag.Core.Documents;
using Rag.Ingest.Chunking.Internal;

namespace Rag.Ingest.Chunking;

/// <summary>
/// Recursive token-aware chunking: the text is cut at paragraph breaks, then line breaks, sentence ends, word breaks and
/// finally characters, only as far as needed for every piece to fit <see cref="ChunkingOptions.MaxTokens"/>; pieces are then
/// packed greedily, each chunk starting with up to <see cref="ChunkingOptions.OverlapTokens"/> tokens from the end of the
/// previous one (cut at a word start). Chunks may cross headings; each carries the heading path where it starts.
/// </summary>
public sealed class RecursiveChunker : IChunker
{
    private readonly SpanSplitter _splitter;

    /// <summary>Creates the chunker; <paramref name="options"/> are validated.</summary>
    public RecursiveChunker(ChunkingOptions options, ITokenCounter? counter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _splitter = new SpanSplitter(counter ?? TiktokenTokenCounter.Default, options.MaxTokens, options.OverlapTokens, SplitLevel.Paragraph, sentenceOverlap: false);
    }

    /// <inheritdoc />
    public IReadOnlyList<Chunk> Split(RagDocument document)
    {
        ChunkFactory.Validate(document);
        var spans = _splitter.Split(document.Text, 0, document.Text.Length);
        var chunks = new List<Chunk>(spans.Count);
        foreach (var span in spans)
        {
            chunks.Add(ChunkFactory.Create(document, chunks.Count, span, ChunkFactory.HeadingPathAt(document, span.Start)));
        }

        return chunks;
    }
}
