namespace Rag.Ingest.Storage;

/// <summary>
/// Content of <c>manifest.json</c>: which generation is the current commit and the files that hold it.
/// </summary>
public sealed record IndexManifest
{
    /// <summary>Manifest format version.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>Commit generation, 0 for a new store; each commit adds 1.</summary>
    public long Generation { get; init; }

    /// <summary>Vector file of this generation (relative to the store folder), or null when the store holds no vectors.</summary>
    public string? VectorsFile { get; init; }

    /// <summary>Document table of this generation (relative to the store folder), or null for generation 0.</summary>
    public string? DocumentsFile { get; init; }

    /// <summary>Vector dimension, or 0 when no vectors were written yet.</summary>
    public int Dimension { get; init; }

    /// <summary>Number of documents in this generation.</summary>
    public int DocumentCount { get; init; }

    /// <summary>Number of chunks in this generation (in both indexes).</summary>
    public long ChunkCount { get; init; }

    /// <summary>When the commit was made.</summary>
    public DateTimeOffset CommittedUtc { get; init; }
}
