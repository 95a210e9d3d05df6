using System.Diagnostics;
using Microsoft.Extensions.AI;
using Rag.Core.Embeddings;
using Rag.Ingest.Chunking;
using Rag.Ingest.Loaders;
using Rag.Ingest.Pipeline;
using Rag.Ingest.Storage;

namespace Rag.Testing.Ingest;

/// <summary>One ingestion of a corpus into a store, as the crash child, the clean reference and the throughput bench run it.</summary>
public static class IngestRunner
{
    public static readonly ChunkingOptions Chunking = new() { MaxTokens = 256, OverlapTokens = 32 };

    public static HashingEmbeddingGenerator CreateEmbedder() => new(384);

    /// <summary>Vector index kind: "faiss" (FAISS Flat through the shim) or "managed" (exact search in C#).</summary>
    public static string VectorKind { get; set; } = "faiss";

    public static IndexStoreOptions StoreOptions(string indexDir)
    {
        var factory = new Rag.Core.Indexing.VectorIndexFactory(new Rag.Core.Indexing.VectorIndexOptions
        {
            Backend = VectorKind == "managed" ? Rag.Core.Indexing.VectorBackend.Managed : Rag.Core.Indexing.VectorBackend.Faiss,
            FaissDescription = "Flat",
            BuildThreads = 1,
        });
        return new IndexStoreOptions { Directory = indexDir, CreateVectorIndex = factory.Create, LoadVectorIndex = factory.Load };
    }

    public sealed record RunStats(int Documents, int Indexed, int Unchanged, int Failed, long Chunks, TimeSpan Elapsed, long Generation);

    public static async Task<RunStats> RunAsync(string corpus, string indexDir, int commitEvery, IEmbeddingGenerator<string, Embedding<float>>? embedder, Action<IngestResult>? onResult = null, CancellationToken ct = default, string? killAtStep = null)
    {
        var sw = Stopwatch.StartNew();
        using var store = IndexStore.Open(StoreOptions(indexDir));
        if (killAtStep is not null)
        {
            // Fault injection: SIGKILL this process right after the named step of the second commit of this run.
            long first = store.Generation + 1;
            store.CommitStepObserver = (step, generation) =>
            {
                if (step == killAtStep && generation == first + 1)
                {
                    Process.GetCurrentProcess().Kill();
                }
            };
        }

        using var pipeline = new IngestionPipeline(
            store,
            ChunkerFactory.Create(Chunking),
            Chunking.Fingerprint(TiktokenTokenCounter.Default),
            DocumentLoaderRegistry.CreateDefault(new LoaderOptions { MaxFileBytes = 1L << 30 }),
            embedder,
            new IngestionOptions { CommitEveryDocuments = commitEvery, EmbeddingBatchSize = 64 });
        int docs = 0, indexed = 0, unchanged = 0, failed = 0;
        long chunks = 0;
        await foreach (var r in pipeline.IngestPathsAsync([corpus], ct))
        {
            docs++;
            switch (r.Status)
            {
                case IngestStatus.Indexed:
                    indexed++;
                    chunks += r.ChunkCount;
                    break;
                case IngestStatus.Unchanged:
                    unchanged++;
                    break;
                default:
                    failed++;
                    break;
            }

            onResult?.Invoke(r);
        }

        return new RunStats(docs, indexed, unchanged, failed, chunks, sw.Elapsed, store.Generation);
    }
}
