using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Core.Documents;
using Rag.Core.Indexing;
using Rag.Ingest.Chunking;
using Rag.Ingest.Loaders;
using Rag.Ingest.Pipeline;
using Rag.Ingest.Storage;
using Rag.Ingest;

namespace Rag.Host.Cli;

/// <summary>
/// <c>rag ingest PATH... [--index DIR] [--delete ID]... [--max-tokens N] [--overlap N] [--commit-every N] [--no-vectors] [--delete-missing]</c>.
/// Prints one tab-separated line per document to stdout (<c>indexed</c>/<c>unchanged</c>/<c>failed</c>/<c>deleted</c>, id,
/// chunks or reason) and a summary line; logs go to stderr. Exit code 0 even when documents failed (their lines say
/// why); 2 for usage errors (no input, missing path, invalid option); 1 when the index store cannot be opened.
/// </summary>
internal sealed class IngestCommand
{
    private readonly RagIngestOptions _options;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly ITokenCounter _counter;
    private readonly VectorIndexFactory _vectorFactory;
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>Creates the command.</summary>
    /// <param name="options">Defaults for everything the arguments do not set.</param>
    /// <param name="embedder">Embedding generator for the vectors; null indexes keywords only.</param>
    /// <param name="counter">Token counter; default <see cref="TiktokenTokenCounter.Default"/>.</param>
    /// <param name="vectorFactory">Vector index kind; default FAISS when available, else managed.</param>
    /// <param name="loggerFactory">Logger factory (the host's logs go to stderr).</param>
    public IngestCommand(
        RagIngestOptions? options = null,
        IEmbeddingGenerator<string, Embedding<float>>? embedder = null,
        ITokenCounter? counter = null,
        VectorIndexFactory? vectorFactory = null,
        ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new RagIngestOptions();
        _embedder = embedder;
        _counter = counter ?? TiktokenTokenCounter.Default;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _vectorFactory = vectorFactory ?? new VectorIndexFactory(logger: _loggerFactory.CreateLogger<VectorIndexFactory>());
    }

    /// <summary>Parses raw arguments (everything after <c>ingest</c>) and runs.</summary>
    public Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        var parsed = IngestCommandArgs.Parse(args, out string? error);
        if (parsed is null)
        {
            stderr.WriteLine($"rag ingest: {error}");
            stderr.WriteLine("usage: rag ingest PATH... [--index DIR] [--delete ID]... [--max-tokens N] [--overlap N] [--commit-every N] [--no-vectors] [--delete-missing]");
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
                    Directory = args.IndexDirectory ?? _options.IndexDirectory,
                    Lucene = _options.Lucene,
                    CreateVectorIndex = _vectorFactory.Create,
                    LoadVectorIndex = _vectorFactory.Load,
                },
                _loggerFactory.CreateLogger<IndexStore>());
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"rag ingest: cannot open the index store: {ex.Message}");
            return 1;
        }

        using (store)
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
            void Print(IngestResult r)
            {
                counts[r.Status] = counts.GetValueOrDefault(r.Status) + 1;
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
                await foreach (var r in pipeline.IngestPathsAsync(args.Paths, args.DeleteMissing, cancellationToken).ConfigureAwait(false))
                {
                    Print(r);
                }
            }

            var m = store.Manifest;
            stdout.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"summary: {counts.GetValueOrDefault(IngestStatus.Indexed)} indexed, {counts.GetValueOrDefault(IngestStatus.Unchanged)} unchanged, " +
                $"{counts.GetValueOrDefault(IngestStatus.Failed)} failed, {counts.GetValueOrDefault(IngestStatus.Deleted)} deleted; " +
                $"index {store.Directory} generation {m.Generation}: {m.DocumentCount} documents, {m.ChunkCount} chunks{(m.VectorsFile is null ? " (keywords only)" : string.Empty)}"));
            return 0;
        }
    }
}
