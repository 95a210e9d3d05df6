using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Core.Documents;
using Rag.Core.Indexing;
using Rag.Core.Storage;
using Rag.Ingest.Chunking;
using Rag.Ingest.Loaders;
using Rag.Ingest.Pipeline;
using Rag.Ingest;

namespace Rag.Host.Cli;

/// <summary>
/// <c>rag ingest PATH... [--index DIR] [--root DIR] [--keep-missing] [--reindex] [--delete ID]... [--max-tokens N] [--overlap N] [--commit-every N] [--no-vectors] [--lock-timeout S]</c>.
/// Prints one tab-separated line per document to stdout (<c>indexed</c>/<c>unchanged</c>/<c>failed</c>/<c>deleted</c>, id,
/// chunks or reason) and a summary line; logs go to stderr. Exit code 0 even when documents failed (their lines say
/// why); 2 for usage errors (no input, missing path, invalid option); 1 when the index store cannot be opened.
/// </summary>
internal sealed class IngestCommand
{
    /// <summary>The usage line (<c>rag ingest --help</c> and usage errors).</summary>
    internal const string Usage =
        "rag ingest PATH... [--index DIR] [--root DIR] [--keep-missing] [--reindex] [--delete ID]... [--max-tokens N] [--overlap N] [--commit-every N] [--no-vectors] [--lock-timeout S] " +
        "[--embedder minilm|arctic-xs|hashing|PATH] [--embed-threads N]";

    /// <summary>What <c>rag ingest --help</c> says above the usage line: the document id rule, folder sync, reindexing, the writer lock.</summary>
    internal const string Description =
        "Ingest files or folders into the BM25 + vector index (--index, default .rag/index).\n" +
        "Document ids: a file's path relative to one root, with '/' separators. The root is --root DIR, else the one the index\n" +
        "recorded when it was first filled, else the common base folder of the inputs (a folder itself, a file's parent). So two\n" +
        "notes.md in two folders get two ids, and a file reached through its folder or by its own path gets one. A JSON record's\n" +
        "id is FILE-ID:RECORD-ID (FILE-ID:line-N without one) and its title keeps the file name.\n" +
        "Folder sync: documents of a given folder whose files are gone are removed (printed as 'deleted'); --keep-missing keeps them.\n" +
        "--reindex rebuilds the index from these inputs when the embedder, analyzer, chunking or root changed (without it, a clear error).\n" +
        "One writer at a time: another ingest into the same index waits up to --lock-timeout seconds (default 30), then fails naming the holder.";

    private readonly RagIngestOptions _options;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly ITokenCounter _counter;
    private readonly IndexStoreOptions _store;
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>Creates the command.</summary>
    /// <param name="options">Defaults for everything the arguments do not set.</param>
    /// <param name="embedder">Embedding generator for the vectors; null indexes keywords only.</param>
    /// <param name="counter">Token counter; default <see cref="TiktokenTokenCounter.Default"/>.</param>
    /// <param name="store">Index store defaults (folder, vector backend); <c>--index</c> overrides the folder.</param>
    /// <param name="loggerFactory">Logger factory (the host's logs go to stderr).</param>
    public IngestCommand(
        RagIngestOptions? options = null,
        IEmbeddingGenerator<string, Embedding<float>>? embedder = null,
        ITokenCounter? counter = null,
        IndexStoreOptions? store = null,
        ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new RagIngestOptions();
        _embedder = embedder;
        _counter = counter ?? TiktokenTokenCounter.Default;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _store = store ?? new IndexStoreOptions();
    }

    /// <summary>Parses raw arguments (everything after <c>ingest</c>) and runs.</summary>
    public Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        var parsed = IngestCommandArgs.Parse(args, out string? error);
        if (parsed is null)
        {
            stderr.WriteLine($"rag ingest: {error}");
            stderr.WriteLine("usage: " + Usage);
            return Task.FromResult(2);
        }

        return RunAsync(parsed, stdout, stderr, cancellationToken);
    }

    /// <summary>Runs with parsed arguments.</summary>
    public async Task<int> RunAsync(IngestCommandArgs args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        foreach (string path in args.Paths)
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                stderr.WriteLine($"rag ingest: '{path}' is neither a file nor a folder.");
                return 2;
            }
        }

        var chunking = new ChunkingOptions
        {
            Strategy = _options.Chunking.Strategy,
            MaxTokens = args.MaxTokens ?? _options.Chunking.MaxTokens,
            OverlapTokens = args.OverlapTokens ?? (args.MaxTokens is int max && max <= _options.Chunking.OverlapTokens ? max / 8 : _options.Chunking.OverlapTokens),
        };
        var ingestion = new IngestionOptions
        {
            CommitEveryDocuments = args.CommitEvery ?? _options.Ingestion.CommitEveryDocuments,
            EmbeddingBatchSize = _options.Ingestion.EmbeddingBatchSize,
            QueueCapacity = _options.Ingestion.QueueCapacity,
            EmbedTitle = _options.Ingestion.EmbedTitle,
            NormalizeEmbeddings = _options.Ingestion.NormalizeEmbeddings,
        };
        try
        {
            chunking.Validate();
            ingestion.Validate();
        }
        catch (ArgumentException ex)
        {
            stderr.WriteLine($"rag ingest: {ex.Message}");
            return 2;
        }

        IndexStore store;
        try
        {
            store = IndexStore.Open(
                new IndexStoreOptions
                {
                    Directory = args.IndexDirectory ?? _store.Directory,
                    Lucene = _store.Lucene,
                    Vectors = _store.Vectors,
                    WriterLockTimeout = args.LockTimeoutSeconds is int seconds ? TimeSpan.FromSeconds(seconds) : _store.WriterLockTimeout,
                },
                _loggerFactory);
        }
        catch (NotAnIndexException ex)
        {
            stderr.WriteLine($"rag: error: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"rag: error: cannot open the index store: {ex.Message}");
            return 1;
        }

        using (store)
        {
            try
            {
                return await IngestAsync(store, args, chunking, ingestion, stdout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IndexSettingsMismatchException or ArgumentException or FileNotFoundException)
            {
                stderr.WriteLine($"rag: error: {ex.Message}");
                return 2;
            }
            catch (IndexLockedException ex)
            {
                stderr.WriteLine($"rag: error: {ex.Message} (wait for it to finish, or ingest into another --index)");
                return 1;
            }
        }
    }

    private static string DeletedList(List<string> deleted) =>
        deleted.Count == 0 ? string.Empty : $" ({string.Join(", ", deleted.Take(5))}{(deleted.Count > 5 ? $" and {deleted.Count - 5} more" : string.Empty)})";

    private async Task<int> IngestAsync(IndexStore store, IngestCommandArgs args, ChunkingOptions chunking, IngestionOptions ingestion, TextWriter stdout, CancellationToken cancellationToken)
    {
        {
            var loaders = DocumentLoaderRegistry.CreateDefault(_options.Loaders, _loggerFactory.CreateLogger<DocumentLoaderRegistry>());
            using var pipeline = new IngestionPipeline(
                store,
                ChunkerFactory.Create(chunking, _counter),
                chunking.Fingerprint(_counter),
                loaders,
                args.NoVectors ? null : _embedder,
                ingestion,
                _loggerFactory.CreateLogger<IngestionPipeline>());
            var counts = new Dictionary<IngestStatus, int>();
            var deleted = new List<string>();
            void Print(IngestResult r)
            {
                counts[r.Status] = counts.GetValueOrDefault(r.Status) + 1;
                if (r.Status == IngestStatus.Deleted)
                {
                    deleted.Add(r.DocumentId);
                }

                string detail = r.Status switch
                {
                    IngestStatus.Failed => r.Error ?? "failed",
                    IngestStatus.Deleted => string.Empty,
                    _ => string.Create(CultureInfo.InvariantCulture, $"{r.ChunkCount} chunks"),
                };
                stdout.WriteLine($"{r.Status.ToString().ToLowerInvariant()}\t{r.DocumentId}\t{detail}".TrimEnd('\t'));
            }

            if (args.Delete.Count > 0)
            {
                foreach (var r in await pipeline.DeleteAsync(args.Delete, cancellationToken).ConfigureAwait(false))
                {
                    Print(r);
                }
            }

            if (args.Paths.Count > 0)
            {
                var run = new IngestRunOptions { KeepMissing = args.KeepMissing, Root = args.Root, Reindex = args.Reindex };
                await foreach (var r in pipeline.IngestPathsAsync(args.Paths, run, cancellationToken).ConfigureAwait(false))
                {
                    Print(r);
                }
            }

            var m = store.Manifest;
            deleted.Sort(StringComparer.Ordinal);
            stdout.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"summary: {counts.GetValueOrDefault(IngestStatus.Indexed)} indexed, {counts.GetValueOrDefault(IngestStatus.Unchanged)} unchanged, " +
                $"{counts.GetValueOrDefault(IngestStatus.Failed)} failed, {counts.GetValueOrDefault(IngestStatus.Deleted)} deleted{DeletedList(deleted)}; " +
                $"index {store.Directory} generation {m.Generation}: {m.DocumentCount} documents, {m.ChunkCount} chunks{(m.VectorsFile is null ? " (keywords only)" : string.Empty)}"));
            return 0;
        }
    }
}
