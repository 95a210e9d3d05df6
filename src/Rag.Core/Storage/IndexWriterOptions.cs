using Rag.Core.Embeddings;

namespace Rag.Core.Storage;

/// <summary>What a writer will put into the store; compared with the settings the store was built with.</summary>
public sealed record IndexWriterOptions
{
    /// <summary>The embedder of the vectors this writer adds; null writes a keyword-only store (no vectors).</summary>
    public EmbedderIdentity? Embedder { get; init; }

    /// <summary>The writer's chunking fingerprint (strategy, sizes, tokenizer); null when the writer does not chunk.</summary>
    public string? Chunking { get; init; }

    /// <summary>
    /// Keep the settings the index was built with, whatever <see cref="Embedder"/> and <see cref="Chunking"/> say: for a
    /// writer that only removes documents, which neither embeds nor chunks.
    /// </summary>
    public bool AdoptIndexSettings { get; init; }

    /// <summary>
    /// Rebuild: start from an empty index with these settings (and the store's analyzer) instead of failing on a settings
    /// mismatch. The old content stays visible to readers, and is what a crash returns to, until the first commit.
    /// </summary>
    public bool Reindex { get; init; }
}
