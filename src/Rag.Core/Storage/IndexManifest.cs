using Rag.Core.Embeddings;
using Rag.Core.Indexing;

namespace Rag.Core.Storage;

/// <summary>
/// Content of <c>manifest.json</c>: which generation is the current commit, the files that hold it, and the settings the
/// index was built with (embedder, analyzer, chunking), which are checked whenever the index is used.
/// </summary>
/// <remarks>
/// Format 2. Format 1 (no settings, no ownership marker) is read and migrated: its settings are adopted from the first
/// writer, or from the first reader's embedder when the dimension matches.
/// </remarks>
public sealed record IndexManifest
{
    /// <summary>The format this version writes.</summary>
    public const int CurrentFormatVersion = 2;

    /// <summary>Manifest format version.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Commit generation, 0 for a new store; each commit adds 1.</summary>
    public long Generation { get; init; }

    /// <summary>Vector file of this generation (relative to the store folder), or null when the store holds no vectors.</summary>
    public string? VectorsFile { get; init; }

    /// <summary>Document table of this generation (relative to the store folder), or null when there is none yet.</summary>
    public string? DocumentsFile { get; init; }

    /// <summary>Vector dimension, or 0 for a keyword-only store.</summary>
    public int Dimension { get; init; }

    /// <summary>Number of documents in this generation.</summary>
    public int DocumentCount { get; init; }

    /// <summary>Number of chunks in this generation (in both indexes).</summary>
    public long ChunkCount { get; init; }

    /// <summary>When the commit was made.</summary>
    public DateTimeOffset CommittedUtc { get; init; }

    /// <summary>The embedder whose vectors the index holds; null for a keyword-only store, or a format-1 store not yet migrated.</summary>
    public EmbedderIdentity? Embedder { get; init; }

    /// <summary>The BM25 analysis chain the index was built with; null only for a format-1 store not yet migrated.</summary>
    public AnalyzerSettings? Analyzer { get; init; }

    /// <summary>
    /// The chunking settings the documents were split with (the writer's fingerprint: strategy, sizes, tokenizer); null
    /// while no writer has recorded one.
    /// </summary>
    public string? Chunking { get; init; }

    /// <summary>
    /// The folder document ids are relative to (full path), recorded by the ingestion that first set it, so that later
    /// runs give a file the same id whatever argument reaches it. Null while nothing was ingested from files.
    /// </summary>
    public string? SourceRoot { get; init; }
}

/// <summary>The index-time analysis of the BM25 index: changing it changes every term, so the index must be rebuilt.</summary>
/// <param name="Analysis">The English analysis chain.</param>
/// <param name="LuceneVersion">The Lucene version whose analyzers were used.</param>
public sealed record AnalyzerSettings(EnglishAnalysis Analysis, string LuceneVersion)
{
    /// <summary>The settings of <paramref name="options"/>.</summary>
    public static AnalyzerSettings From(LuceneIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AnalyzerSettings(options.Analysis, Indexing.Internal.EnglishAnalyzerFactory.Version.ToString());
    }

    /// <summary>For messages: <c>Porter (LUCENE_48)</c>.</summary>
    public override string ToString() => $"{Analysis} ({LuceneVersion})";
}
