using System.Diagnostics;
using Rag.Core.Documents;
using Rag.Ingest.Chunking;
using Rag.Ingest.Loaders;
using Rag.Testing.Ingest;

namespace Rag.Ingest.Bench;

/// <summary>Ingestion throughput on a corpus: load only, load + chunk, full pipeline without and with embedding.</summary>
public static class Throughput
{
    public static async Task<int> RunAsync(string corpus, string workDir, int commitEvery, TextWriter log)
    {
        log.WriteLine($"corpus {corpus}; chunking {IngestRunner.Chunking.MaxTokens}/{IngestRunner.Chunking.OverlapTokens} tokens (cl100k); commit every {commitEvery} docs; {Environment.ProcessorCount} cores");
        var registry = DocumentLoaderRegistry.CreateDefault(new LoaderOptions { MaxFileBytes = 1L << 30 });
        var chunker = ChunkerFactory.Create(IngestRunner.Chunking);
        _ = TiktokenTokenCounter.Default.CountTokens("warm up");

        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var docs = new List<RagDocument>();
        await foreach (var r in registry.LoadAsync(DocumentSource.FromFile(corpus)))
        {
            docs.Add(r.Document!);
        }

        var load = sw.Elapsed;
        sw.Restart();
        long chunks = 0;
        foreach (var d in docs)
        {
            chunks += chunker.Split(d).Count;
        }

        var chunk = sw.Elapsed;
        double chunkCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
        log.WriteLine($"load only:          {docs.Count} docs in {load.TotalSeconds:F2} s = {docs.Count / load.TotalSeconds:F0} docs/s");
        log.WriteLine($"chunk only:         {chunks} chunks in {chunk.TotalSeconds:F2} s = {docs.Count / chunk.TotalSeconds:F0} docs/s, {chunks / chunk.TotalSeconds:F0} chunks/s (load + chunk process CPU {chunkCpu:F2} s)");

        // Warm-up (JIT, Lucene, tokenizer caches) on a scratch store, so the first measured mode is not penalized.
        string warm = Path.Combine(workDir, "warm-up");
        if (Directory.Exists(warm))
        {
            Directory.Delete(warm, true);
        }

        using (var warmEmbedder = IngestRunner.CreateEmbedder())
        {
            await IngestRunner.RunAsync(corpus, warm, commitEvery, warmEmbedder);
        }

        foreach (bool embed in new[] { false, true })
        {
            string dir = Path.Combine(workDir, embed ? "with-embedding" : "keyword-only");
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }

            using var embedder = embed ? IngestRunner.CreateEmbedder() : null;
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var stats = await IngestRunner.RunAsync(corpus, dir, commitEvery, embedder);
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            double s = stats.Elapsed.TotalSeconds;
            long bytes = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            log.WriteLine($"pipeline {(embed ? $"with embedding (hashing, 384-d, {IngestRunner.VectorKind} flat)" : "without embedding (BM25 only)        ")}: {stats.Indexed} docs, {stats.Chunks} chunks, {stats.Failed} failed in {s:F2} s = {stats.Indexed / s:F0} docs/s, {stats.Chunks / s:F0} chunks/s; {stats.Generation} commits; process CPU {cpu:F2} s; store {bytes / 1048576.0:F1} MiB");

            var again = await IngestRunner.RunAsync(corpus, dir, commitEvery, embedder);
            log.WriteLine($"  re-ingest unchanged: {again.Unchanged} unchanged in {again.Elapsed.TotalSeconds:F2} s = {again.Unchanged / again.Elapsed.TotalSeconds:F0} docs/s (generation stays {again.Generation})");
        }

        return 0;
    }
}
