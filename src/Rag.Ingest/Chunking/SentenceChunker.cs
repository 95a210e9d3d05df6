using Rag.Core.Documents;
using Rag.Ingest.Chunking.Internal;

namespace Rag.Ingest.Chunking;

/// <summary>
/// Sentence-aware chunking: chunks are runs of whole sentences (a sentence longer than the limit is cut at words), and the
/// overlap is made of the last whole sentences of the previous chunk that fit <see cref="ChunkingOptions.OverlapTokens"/>
/// (none when the last sentence alone is longer).
/// </summary>
public sealed class SentenceChunker : IChunker
{
    private readonly SpanSplitter _splitter;

    /// <summary>Creates the chunker; <paramref name="options"/> are validated.</summary>
    public SentenceChunker(ChunkingOptions options, ITokenCounter? counter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _splitter = new SpanSplitter(counter ?? TiktokenTokenCounter.Default, options.MaxTokens, options.OverlapTokens, SplitLevel.Sentence, sentenceOverlap: true);
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
