using Rag.Core.Documents;
namespace Rag.Ingest.Chunking;

/// <summary>Creates the <see cref="IChunker"/> for a <see cref="ChunkingStrategy"/>.</summary>
public static class ChunkerFactory
{
    /// <summary>Creates the chunker <paramref name="options"/> ask for; the counter defaults to <see cref="TiktokenTokenCounter.Default"/>.</summary>
    public static IChunker Create(ChunkingOptions options, ITokenCounter? counter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Strategy switch
        {
            ChunkingStrategy.Recursive => new RecursiveChunker(options, counter),
            ChunkingStrategy.Sentence => new SentenceChunker(options, counter),
            _ => new MarkdownChunker(options, counter),
        };
    }
}
