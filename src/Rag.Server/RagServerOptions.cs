using System.ComponentModel.DataAnnotations;

namespace Rag.Server;

/// <summary>
/// Settings of the Rag server (<c>Rag:Server</c>): security, limits, LoRA adapters by name, and the ingestion worker.
/// </summary>
public sealed class RagServerOptions
{
    /// <summary>The configuration section, under <c>Rag</c>.</summary>
    public const string SectionName = "Server";

    /// <summary>Environment variable read when <see cref="ApiKey"/> is empty.</summary>
    public const string ApiKeyEnvironmentVariable = "RAG_API_KEY";

    /// <summary>
    /// The API key clients send as <c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>. Every mutating endpoint
    /// requires it; without a key configured they answer 401 unless <see cref="AllowAnonymousWrites"/> is set.
    /// </summary>
    /// <value>Empty: <c>RAG_API_KEY</c>, else none.</value>
    public string? ApiKey { get; set; }

    /// <summary>Require the key on reads too (chat, embeddings, search, ask, document list).</summary>
    /// <value>false.</value>
    public bool RequireKeyForReads { get; set; }

    /// <summary>Allow mutating endpoints without a key when none is configured (local development only).</summary>
    /// <value>false.</value>
    public bool AllowAnonymousWrites { get; set; }

    /// <summary>Largest request body in bytes; larger ones get 413.</summary>
    /// <value>8 MiB.</value>
    [Range(1024, long.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Folders whose files <c>/api/ingest</c> may name by path; any other path gets 403. Empty: no paths.</summary>
    public IList<string> AllowedRoots { get; } = [];

    /// <summary>Folders the worker keeps ingested (file-watcher events plus a periodic rescan).</summary>
    public IList<string> WatchFolders { get; } = [];

    /// <summary>
    /// The folder that ids of documents ingested from files are relative to (the index records it, so it must not change).
    /// </summary>
    /// <value>Empty: the deepest folder holding every <see cref="WatchFolders"/> and <see cref="AllowedRoots"/> entry.</value>
    public string? SourceRoot { get; set; }

    /// <summary>The source root in effect (see <see cref="SourceRoot"/>), or null when no folder is configured.</summary>
    public string? ResolvedSourceRoot
    {
        get
        {
            if (!string.IsNullOrWhiteSpace(SourceRoot))
            {
                return Path.GetFullPath(SourceRoot);
            }

            var folders = WatchFolders.Concat(AllowedRoots).Select(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(f))).ToList();
            return folders.Count == 0 ? null : Worker.FolderWatcher.CommonRoot(folders);
        }
    }

    /// <summary>Seconds between full rescans of the watched folders.</summary>
    /// <value>300.</value>
    [Range(1, 86400)]
    public int RescanIntervalSeconds { get; set; } = 300;

    /// <summary>Ingestion jobs that may wait in the worker's queue; beyond it <c>/api/ingest</c> answers 429.</summary>
    /// <value>16.</value>
    [Range(1, 10000)]
    public int IngestQueueCapacity { get; set; } = 16;

    /// <summary>Seconds sent in <c>Retry-After</c> with a 429.</summary>
    /// <value>1.</value>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>The model id served for the base chat model; empty = the GGUF file name without extension.</summary>
    public string? ModelName { get; set; }

    /// <summary>
    /// LoRA adapters by name (name → GGUF path). A request's model <c>base+name</c> (or <c>base+name:0.5</c> for a scale)
    /// applies them; each loads once, on first use.
    /// </summary>
    public IDictionary<string, string> Adapters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The model alias that turns on retrieval grounding (answers cite the index's sources).</summary>
    /// <value>rag.</value>
    [Required]
    public string GroundedModelAlias { get; set; } = "rag";

    /// <summary>The key in effect (setting, else environment), or null.</summary>
    public string? ResolvedApiKey =>
        !string.IsNullOrWhiteSpace(ApiKey) ? ApiKey
        : Environment.GetEnvironmentVariable(ApiKeyEnvironmentVariable) is { Length: > 0 } env ? env : null;
}
