using Microsoft.Extensions.AI;
using Rag.Core.Documents;
using Rag.Core.Embeddings;
using Rag.Core.Indexing;
using Rag.Core.Storage;
using Rag.Ingest.Chunking;
using Rag.Ingest.Loaders;
using Rag.Ingest.Pipeline;

namespace Rag.Ingest.Tests.Pipeline;

public sealed class PipelineTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly HashingEmbeddingGenerator _embedder = new(64);

    public void Dispose()
    {
        _embedder.Dispose();
        _dir.Dispose();
    }

    private string IndexDir => Path.Combine(_dir.Path, "index");

    private IndexStore OpenStore() => IndexStore.Open(new IndexStoreOptions { Directory = IndexDir, Vectors = new VectorIndexOptions { Backend = VectorBackend.Managed } });

    private IngestionPipeline Pipeline(IndexStore store, ChunkingOptions? chunking = null, LoaderOptions? loaders = null, IngestionOptions? options = null)
    {
        chunking ??= new ChunkingOptions { MaxTokens = 64, OverlapTokens = 8 };
        return new IngestionPipeline(
            store,
            ChunkerFactory.Create(chunking),
            chunking.Fingerprint(TiktokenTokenCounter.Default),
            DocumentLoaderRegistry.CreateDefault(loaders),
            _embedder,
            options ?? new IngestionOptions { CommitEveryDocuments = 3, EmbeddingBatchSize = 4 });
    }

    private static async Task<List<IngestResult>> Collect(IAsyncEnumerable<IngestResult> results)
    {
        var list = new List<IngestResult>();
        await foreach (var r in results)
        {
            list.Add(r);
        }

        return list;
    }

    private float[] Embed(string text) => _embedder.Embed(text);

    private string Corpus()
    {
        string docs = Path.Combine(_dir.Path, "docs");
        _dir.File("docs/install.md", "# Installation\n\nInstall the zebrafish package with the installer.\n\n## Linux\n\nUse the tarball on Linux systems.");
        _dir.File("docs/faq.html", "<html><head><title>FAQ</title><script>tracker()</script></head><body><nav>menu</nav><h1>FAQ</h1><p>Why is the sky blue? Rayleigh scattering.</p></body></html>");
        _dir.File("docs/notes.txt", "Plain notes about quokka habitats and their diet.");
        Fixtures.Docx(_dir.Combine("docs/handbook.docx"));
        _dir.File("docs/paper.pdf", Fixtures.Pdf("Pangolin scales are made of keratin"));
        _dir.File("docs/records.jsonl", "{\"_id\":\"r1\",\"title\":\"Axolotl\",\"text\":\"Axolotls regenerate limbs.\"}\n{\"_id\":\"r2\",\"title\":\"Tardigrade\",\"text\":\"Tardigrades survive vacuum.\"}\n");
        return docs;
    }

    [Fact]
    public async Task Ingests_every_format_into_both_indexes()
    {
        string docs = Corpus();
        using var store = OpenStore();
        using var pipeline = Pipeline(store);
        var results = await Collect(pipeline.IngestPathsAsync([docs]));

        Assert.All(results, r => Assert.Equal(IngestStatus.Indexed, r.Status));
        Assert.Equal(["faq.html", "handbook.docx", "install.md", "notes.txt", "paper.pdf", "records.jsonl:r1", "records.jsonl:r2"], results.Select(r => r.DocumentId).Order(StringComparer.Ordinal));
        Assert.All(results, r => Assert.True(r.Generation > 0));
        using var snapshot = store.AcquireSnapshot();
        var v = snapshot.Verify();
        Assert.True(v.IsConsistent(expectVectors: true), v.ToString());
        Assert.Equal(7, v.Documents);

        Assert.Equal("paper.pdf", snapshot.Keyword.Search("pangolin keratin", 3)[0].Chunk.DocumentId);
        var axolotl = snapshot.Keyword.Search("axolotl", 3)[0].Chunk;
        Assert.Equal("records.jsonl:r1", axolotl.DocumentId);
        Assert.Equal("records.jsonl: Axolotl", axolotl.Title); // a record's title keeps its file name
        Assert.Empty(snapshot.Keyword.Search("tracker", 3)); // script text was dropped
        var install = snapshot.Keyword.Search("tarball linux", 1)[0].Chunk;
        Assert.Equal(["Installation", "Linux"], install.HeadingPath);

        var hit = snapshot.Vectors!.Search(Embed("records.jsonl: Tardigrade\nTardigrades survive vacuum."), 1)[0];
        Assert.Equal("records.jsonl:r2", snapshot.Keyword.GetByVectorId(hit.Id)!.DocumentId);
    }

    [Fact]
    public async Task Bad_inputs_fail_alone_and_the_rest_of_the_batch_is_indexed()
    {
        string docs = Path.Combine(_dir.Path, "batch");
        _dir.File("batch/good.md", "# Good\n\nThe okapi is a giraffid.");
        _dir.File("batch/good.html", "<html><body><p>The narwhal tusk is a tooth.</p></body></html>");
        _dir.File("batch/empty.txt", "");
        _dir.File("batch/binary.txt", Enumerable.Range(0, 3000).Select(i => (byte)(i % 256)).ToArray());
        _dir.File("batch/latin1.txt", [0x63, 0x61, 0x66, 0xE9, 0x20, 0x63, 0x72, 0xE8, 0x6D, 0x65]);
        _dir.File("batch/corrupt.docx", "PK\u0003\u0004 not really a zip");
        byte[] pdf = Fixtures.Pdf("cut off");
        _dir.File("batch/truncated.pdf", pdf[..(pdf.Length / 3)]);
        using (var fs = File.Create(_dir.Combine("batch/huge.txt")))
        {
            fs.SetLength(50L * 1024 * 1024);
        }

        string fake = _dir.File("hang.sh", "#!/bin/sh\nsleep 60\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        _dir.File("batch/sub/hangs.pdf", Fixtures.Pdf("never"));
        var loaders = new LoaderOptions { PdfToTextPath = fake, PdfTimeout = TimeSpan.FromMilliseconds(300) };

        using var store = OpenStore();
        using var pipeline = Pipeline(store, loaders: loaders);
        var results = (await Collect(pipeline.IngestPathsAsync([docs]))).ToDictionary(r => r.DocumentId);

        Assert.Equal(IngestStatus.Indexed, results["good.md"].Status);
        Assert.Equal(IngestStatus.Indexed, results["good.html"].Status);
        Assert.Equal(IngestStatus.Indexed, results["latin1.txt"].Status);
        Assert.Contains("empty", results["empty.txt"].Error, StringComparison.Ordinal);
        Assert.Contains("binary content", results["binary.txt"].Error, StringComparison.Ordinal);
        Assert.Contains("not a readable .docx", results["corrupt.docx"].Error, StringComparison.Ordinal);
        Assert.Contains("truncated.pdf", results["truncated.pdf"].Error, StringComparison.Ordinal);
        Assert.Contains("MaxFileBytes", results["huge.txt"].Error, StringComparison.Ordinal);
        Assert.Contains("did not finish within", results["sub/hangs.pdf"].Error, StringComparison.Ordinal);
        Assert.All(results.Values.Where(r => r.Status == IngestStatus.Failed), r => Assert.False(string.IsNullOrWhiteSpace(r.Error)));

        using var snapshot = store.AcquireSnapshot();
        Assert.Equal(3, snapshot.Documents.Count);
        Assert.Equal("good.md", snapshot.Keyword.Search("okapi", 1)[0].Chunk.DocumentId);
        Assert.Equal("latin1.txt", snapshot.Keyword.Search("crème", 1)[0].Chunk.DocumentId);
        Assert.True(snapshot.Verify().IsConsistent(true));
    }

    [Fact]
    public async Task Reingesting_unchanged_content_writes_nothing()
    {
        string docs = Corpus();
        using var store = OpenStore();
        using var pipeline = Pipeline(store);
        await Collect(pipeline.IngestPathsAsync([docs]));
        long generation = store.Generation;
        var before = Snapshot(IndexDir);

        var again = await Collect(pipeline.IngestPathsAsync([docs]));

        Assert.All(again, r => Assert.Equal(IngestStatus.Unchanged, r.Status));
        Assert.Equal(7, again.Count);
        Assert.Equal(generation, store.Generation);
        Assert.Equal(before, Snapshot(IndexDir));
    }

    [Fact]
    public async Task Changing_a_document_replaces_its_chunks_without_stale_ones()
    {
        using var store = OpenStore();
        using var pipeline = Pipeline(store, new ChunkingOptions { MaxTokens = 16, OverlapTokens = 0 });
        string longText = string.Join(" ", Enumerable.Range(0, 60).Select(i => $"Sentence {i} mentions the wombat."));
        var first = await Collect(pipeline.IngestAsync([new RagDocument("d1", longText), new RagDocument("d2", "The ibis wades in rivers.")]));
        int oldChunks = first.Single(r => r.DocumentId == "d1").ChunkCount;
        Assert.True(oldChunks > 5);

        var second = await Collect(pipeline.IngestAsync([new RagDocument("d1", "Now only about the capybara."), new RagDocument("d2", "The ibis wades in rivers.")]));

        Assert.Equal(IngestStatus.Indexed, second.Single(r => r.DocumentId == "d1").Status);
        Assert.Equal(IngestStatus.Unchanged, second.Single(r => r.DocumentId == "d2").Status);
        using var snapshot = store.AcquireSnapshot();
        Assert.Equal(["d1#0", "d2#0"], snapshot.Keyword.ChunkIds().Order(StringComparer.Ordinal));
        Assert.Equal(2, snapshot.Vectors!.Count);
        for (int i = 1; i < oldChunks; i++)
        {
            Assert.False(snapshot.Vectors.Contains(ChunkIds.ToVectorId($"d1#{i}")));
        }

        Assert.Empty(snapshot.Keyword.Search("wombat", 5));
        Assert.True(snapshot.Verify().IsConsistent(true));
    }

    [Fact]
    public async Task Delete_removes_a_document_from_both_indexes()
    {
        using var store = OpenStore();
        using var pipeline = Pipeline(store);
        await Collect(pipeline.IngestAsync([new RagDocument("keep", "The lynx hunts hares."), new RagDocument("gone", "The dugong eats seagrass.")]));
        DocumentRecord gone;
        using (var before = store.AcquireSnapshot())
        {
            gone = before.GetDocument("gone")!;
        }

        var results = await pipeline.DeleteAsync(["gone", "never-there"]);

        Assert.Equal(IngestStatus.Deleted, results[0].Status);
        Assert.Equal(IngestStatus.Failed, results[1].Status);
        Assert.Contains("not in the index", results[1].Error, StringComparison.Ordinal);
        using var snapshot = store.AcquireSnapshot();
        Assert.Empty(snapshot.Keyword.Search("dugong", 5));
        Assert.All(gone.ChunkIds(), id => Assert.False(snapshot.Vectors!.Contains(ChunkIds.ToVectorId(id))));
        Assert.Equal(["keep#0"], snapshot.Keyword.ChunkIds());
        Assert.True(snapshot.Verify().IsConsistent(true));
    }

    [Fact]
    public async Task Folder_sync_deletes_documents_whose_files_or_records_are_gone_unless_kept()
    {
        _dir.File("sync/a.md", "# A\n\nAardvarks dig burrows.");
        string b = _dir.File("sync/b.md", "# B\n\nBaboons live in troops.");
        string jsonl = _dir.File("sync/c.jsonl", "{\"_id\":\"c1\",\"text\":\"Cassowaries cannot fly.\"}\n{\"_id\":\"c2\",\"text\":\"Capybaras swim well.\"}\n");
        string folder = Path.Combine(_dir.Path, "sync");
        using var store = OpenStore();
        using var pipeline = Pipeline(store);
        await Collect(pipeline.IngestPathsAsync([folder]));
        Assert.Equal(4, store.Manifest.DocumentCount);

        File.Delete(b);
        File.WriteAllText(jsonl, "{\"_id\":\"c1\",\"text\":\"Cassowaries cannot fly.\"}\n");
        var kept = await Collect(pipeline.IngestPathsAsync([folder], new IngestRunOptions { KeepMissing = true }));
        Assert.DoesNotContain(kept, r => r.Status == IngestStatus.Deleted);
        Assert.Equal(4, store.Manifest.DocumentCount);

        var synced = await Collect(pipeline.IngestPathsAsync([folder]));
        Assert.Equal(["b.md", "c.jsonl:c2"], synced.Where(r => r.Status == IngestStatus.Deleted).Select(r => r.DocumentId).Order(StringComparer.Ordinal));
        using var snapshot = store.AcquireSnapshot();
        Assert.Equal(["a.md", "c.jsonl:c1"], snapshot.Documents.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.Empty(snapshot.Keyword.Search("baboons capybaras", 5));
        Assert.True(snapshot.Verify().IsConsistent(true));
    }

    [Fact]
    public async Task A_file_that_fails_to_load_keeps_its_indexed_version_through_a_sync()
    {
        string json = _dir.File("keep/records.json", "[{\"id\":\"x\",\"text\":\"Xerus squirrels live in Africa.\"},{\"id\":\"y\",\"text\":\"Yaks have thick fur.\"}]");
        string folder = Path.Combine(_dir.Path, "keep");
        using var store = OpenStore();
        using var pipeline = Pipeline(store);
        await Collect(pipeline.IngestPathsAsync([folder]));

        File.WriteAllText(json, "[{\"id\":\"x\",\"text\":\"half-saved edit"); // the file is being edited: not valid JSON
        var results = await Collect(pipeline.IngestPathsAsync([folder]));
        Assert.Equal(IngestStatus.Failed, Assert.Single(results).Status);
        Assert.Equal(["records.json:x", "records.json:y"], CommittedIds(store));
    }

    [Fact]
    public async Task Changing_chunk_settings_reindexes()
    {
        using var store = OpenStore();
        var doc = new RagDocument("d", string.Join(" ", Enumerable.Range(0, 100).Select(i => $"w{i}")));
        using (var p1 = Pipeline(store, new ChunkingOptions { MaxTokens = 200, OverlapTokens = 0 }))
        {
            Assert.Equal(1, (await Collect(p1.IngestAsync([doc])))[0].ChunkCount);
        }

        // Other chunking would leave the index split between two settings: an error, until the index is rebuilt.
        using var p2 = Pipeline(store, new ChunkingOptions { MaxTokens = 32, OverlapTokens = 0 });
        var e = await Assert.ThrowsAsync<IndexSettingsMismatchException>(() => Collect(p2.IngestAsync([doc])));
        Assert.Equal("chunking", e.Setting);
        var r = (await Collect(p2.IngestAsync([doc], new IngestRunOptions { Reindex = true })))[0];
        Assert.Equal(IngestStatus.Indexed, r.Status);
        Assert.True(r.ChunkCount > 1);
        using var snapshot = store.AcquireSnapshot();
        Assert.Equal(r.ChunkCount, snapshot.Keyword.Count);
    }

    [Fact]
    public async Task Cancellation_keeps_the_last_commit_and_drops_the_rest()
    {
        using var store = OpenStore();
        using var pipeline = Pipeline(store, options: new IngestionOptions { CommitEveryDocuments = 5, EmbeddingBatchSize = 2, QueueCapacity = 1 });
        using var cts = new CancellationTokenSource();
        var seen = new List<IngestResult>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var r in pipeline.IngestAsync(Docs(cts.Token), cancellationToken: cts.Token))
            {
                seen.Add(r);
            }
        });

        // Results are only reported once committed: exactly the first commit of 5 documents.
        Assert.Equal(5, seen.Count);
        Assert.Equal(1, store.Generation);
        using var snapshot = store.AcquireSnapshot();
        Assert.Equal(5, snapshot.Documents.Count);
        Assert.True(snapshot.Verify().IsConsistent(true));

        async IAsyncEnumerable<RagDocument> Docs([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            for (int i = 0; i < 8; i++)
            {
                await Task.Yield();
                yield return new RagDocument($"doc{i}", $"Document number {i} about the gecko.");
            }

            // Stop the run in the middle of the second batch.
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }
    }

    [Fact]
    public async Task Failed_embedding_fails_its_documents_and_keeps_the_store_consistent()
    {
        using var store = OpenStore();
        var chunking = new ChunkingOptions();
        // Fault injection: an embedder whose service is down.
        using var pipeline = new IngestionPipeline(store, ChunkerFactory.Create(chunking), chunking.Fingerprint(TiktokenTokenCounter.Default),
            DocumentLoaderRegistry.CreateDefault(), new FailingEmbedder(), new IngestionOptions());
        var results = await Collect(pipeline.IngestAsync([new RagDocument("a", "text")]));
        Assert.Equal(IngestStatus.Failed, results[0].Status);
        Assert.Contains("embedding service unavailable", results[0].Error, StringComparison.Ordinal);
        using var snapshot = store.AcquireSnapshot();
        Assert.Empty(snapshot.Documents);
    }

    [Fact]
    public async Task Loading_stops_when_the_bounded_queue_is_full()
    {
        // Fault injection: an embedder that blocks until released, so the indexing stage stalls.
        using var gate = new BlockingEmbedder(new HashingEmbeddingGenerator(16));
        using var store = OpenStore();
        var chunking = new ChunkingOptions();
        const int capacity = 4;
        using var pipeline = new IngestionPipeline(store, ChunkerFactory.Create(chunking), chunking.Fingerprint(TiktokenTokenCounter.Default),
            DocumentLoaderRegistry.CreateDefault(), gate, new IngestionOptions { QueueCapacity = capacity, EmbeddingBatchSize = 1, CommitEveryDocuments = 1000 });
        int produced = 0;
        var overrun = new TaskCompletionSource();

        async IAsyncEnumerable<RagDocument> Source()
        {
            for (int i = 0; i < 100; i++)
            {
                await Task.Yield();
                // In flight at most: one document being embedded, `capacity` queued, one being written by the loader.
                if (Interlocked.Increment(ref produced) > capacity + 2)
                {
                    overrun.TrySetResult();
                }

                yield return new RagDocument($"d{i}", $"Document {i} about backpressure.");
            }
        }

        var run = Collect(pipeline.IngestAsync(Source()));
        await gate.Entered.Task;
        var first = await Task.WhenAny(overrun.Task, Task.Delay(TimeSpan.FromSeconds(1)));
        Assert.NotSame(overrun.Task, first);
        Assert.InRange(Volatile.Read(ref produced), 1, capacity + 2);

        gate.Release();
        var results = await run;
        Assert.Equal(100, results.Count(r => r.Status == IngestStatus.Indexed));
    }

    [Fact]
    public void Ingestion_options_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new IngestionOptions { CommitEveryDocuments = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new IngestionOptions { EmbeddingBatchSize = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new IngestionOptions { QueueCapacity = 0 }.Validate());
    }

    private static List<string> CommittedIds(IndexStore store)
    {
        using var snapshot = store.AcquireSnapshot();
        return snapshot.Documents.Select(d => d.Id).Order(StringComparer.Ordinal).ToList();
    }

    // The writer lock's owner file is rewritten by every writer; everything else must stay as it was.
    private static List<string> Snapshot(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "writer.pid")
            .Select(f => $"{Path.GetRelativePath(dir, f)}|{new FileInfo(f).Length}|{File.GetLastWriteTimeUtc(f).Ticks}")
            .Order(StringComparer.Ordinal)
            .ToList();

    private sealed class BlockingEmbedder(IEmbeddingGenerator<string, Embedding<float>> inner) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.TrySetResult();

        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken);
            return await inner.GenerateAsync(values, options, cancellationToken);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

        public void Dispose() => inner.Dispose();
    }

    private sealed class FailingEmbedder : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly EmbeddingGeneratorMetadata _metadata = new("failing", null, "failing-model", 16);

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new HttpRequestException("embedding service unavailable");

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata : null;

        public void Dispose()
        {
        }
    }
}
