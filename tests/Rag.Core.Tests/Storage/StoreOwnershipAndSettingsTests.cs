using System.Globalization;
using System.Text.Json;
using Rag.Core.Documents;
using Rag.Core.Embeddings;
using Rag.Core.Indexing;
using Rag.Core.Retrieval;
using Rag.Core.Storage;
using static Rag.Core.Tests.Storage.StoreKit;

namespace Rag.Core.Tests.Storage;

public class StoreOwnershipAndSettingsTests
{
    [Fact]
    public void A_non_empty_foreign_folder_is_refused_and_left_untouched()
    {
        using var dir = new TempDir();
        dir.File("notes.md", "# my notes");
        dir.File("scratch.tmp", "keep");
        var before = Directory.EnumerateFileSystemEntries(dir.Path).Order(StringComparer.Ordinal).ToList();

        var e = Assert.Throws<NotAnIndexException>(() => Open(dir.Path));
        Assert.Contains("is not empty and is not a Rag index", e.Message, StringComparison.Ordinal);
        Assert.Contains("'notes.md'", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(dir.Path).Order(StringComparer.Ordinal));
        Assert.False(IndexStore.Exists(dir.Path));
    }

    [Fact]
    public void A_missing_or_empty_folder_becomes_a_marked_store()
    {
        using var dir = new TempDir();
        string missing = Path.Combine(dir.Path, "a", "b");
        using (Open(missing))
        {
            Assert.True(File.Exists(Path.Combine(missing, IndexStore.MarkerFileName)));
        }

        string empty = dir.Combine("empty/");
        Directory.CreateDirectory(empty);
        using (var store = Open(empty))
        {
            Assert.True(IndexStore.Exists(empty));
            using var snapshot = store.AcquireSnapshot();
            Assert.Equal(0, snapshot.Generation);
            Assert.Empty(snapshot.Documents);
            Assert.Empty(snapshot.Keyword.Search("anything", 5));
        }

        var marker = JsonDocument.Parse(File.ReadAllText(Path.Combine(missing, IndexStore.MarkerFileName))).RootElement;
        Assert.Equal("rag-index", marker.GetProperty("format").GetString());
        Assert.Equal(2, marker.GetProperty("layout").GetInt32());
    }

    [Fact]
    public void A_marker_from_a_newer_version_is_refused()
    {
        using var dir = new TempDir();
        dir.File(IndexStore.MarkerFileName, """{"format":"rag-index","layout":9}""");
        var e = Assert.Throws<NotAnIndexException>(() => Open(dir.Path));
        Assert.Contains("newer version of Rag", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_format_1_store_is_read_and_migrated_by_its_first_writer()
    {
        using var dir = new TempDir();
        WriteFormatOneStore(dir.Path);
        Assert.True(IndexStore.Exists(dir.Path));

        using (var store = Open(dir.Path))
        {
            using (var snapshot = store.AcquireSnapshot())
            {
                Assert.Equal(1, snapshot.Generation);
                Assert.Equal(1, snapshot.Manifest.FormatVersion);
                Assert.True(snapshot.Verify().IsConsistent(expectVectors: true), snapshot.Verify().ToString());
            }

            // Format 1 recorded only the dimension: an 8-d query embedder is accepted, a 16-d one is not.
            var hits = await new HybridRetriever(store, Hashing).RetrieveAsync("alpha", 5);
            Assert.Equal(2, hits.Count);
            using var wide = new HashingEmbeddingGenerator(16);
            await Assert.ThrowsAsync<IndexSettingsMismatchException>(() => new HybridRetriever(store, wide).RetrieveAsync("alpha", 5));

            var wideIdentity = await EmbedderIdentity.OfAsync(wide);
            Assert.Throws<IndexSettingsMismatchException>(() => Writer(store, wideIdentity));
            using (var writer = Writer(store))
            {
                Assert.Equal(1, writer.Generation);
            }

            Assert.True(File.Exists(Path.Combine(dir.Path, IndexStore.MarkerFileName)));
            Assert.Equal(IndexManifest.CurrentFormatVersion, store.Manifest.FormatVersion);
            Assert.Equal(Embedder, store.Manifest.Embedder);
            Assert.Equal(["a#0", "a#1"], CommittedChunkIds(store));
        }
    }

    [Fact]
    public async Task Another_embedder_is_a_clear_error_and_reindex_rebuilds_atomically()
    {
        using var dir = new TempDir();
        using var store = Open(dir.Path);
        using (var writer = Writer(store))
        {
            Put(writer, "a", 2);
            writer.Commit();
        }

        // Same model id and dimension, other vectors: the recorded version tells them apart.
        var other = OtherEmbedder;
        Assert.Equal(Embedder.ModelId, other.ModelId);
        Assert.Equal(Embedder.Dimension, other.Dimension);
        var e = Assert.Throws<IndexSettingsMismatchException>(() => Writer(store, other));
        Assert.Equal("embedder", e.Setting);
        Assert.Contains("bigram=0.5, 8 dimensions", e.Message, StringComparison.Ordinal);
        Assert.Contains("bigram=0, 8 dimensions", e.Message, StringComparison.Ordinal);
        Assert.Contains("--reindex", e.Message, StringComparison.Ordinal);

        // Querying with the other embedder fails the same way; BM25 alone does not use it.
        var retriever = new HybridRetriever(store, OtherHashing);
        await Assert.ThrowsAsync<IndexSettingsMismatchException>(() => retriever.RetrieveAsync("alpha", 3));
        Assert.NotEmpty(await retriever.RetrieveAsync("alpha", new RetrievalRequestOptions { Mode = RetrievalMode.Bm25 }));

        using (var writer = Writer(store, other, reindex: true))
        {
            Put(writer, "b", 1);
            using (var before = store.AcquireSnapshot())
            {
                Assert.Equal(Embedder, before.Manifest.Embedder); // the old index stays visible until the rebuild commits
                Assert.NotNull(before.GetDocument("a"));
            }

            writer.Commit();
        }

        Assert.Equal(other, store.Manifest.Embedder);
        Assert.Equal(["b#0"], CommittedChunkIds(store));
        Assert.Single(await retriever.RetrieveAsync("alpha", 3));
    }

    [Fact]
    public void Another_analyzer_or_chunking_is_a_clear_error()
    {
        using var dir = new TempDir();
        using (var store = Open(dir.Path))
        using (var writer = Writer(store))
        {
            Put(writer, "a", 2);
            writer.Commit();
        }

        var kstem = Options(dir.Path);
        kstem.Lucene.Analysis = EnglishAnalysis.KStem;
        using (var store = IndexStore.Open(kstem))
        {
            var e = Assert.Throws<IndexSettingsMismatchException>(() => store.AcquireSnapshot());
            Assert.Equal("analyzer", e.Setting);
            Assert.Contains("Porter (LUCENE_48)", e.Message, StringComparison.Ordinal);
            Assert.Throws<IndexSettingsMismatchException>(() => Writer(store));
        }

        using (var store = Open(dir.Path))
        {
            var e = Assert.Throws<IndexSettingsMismatchException>(() => Writer(store, chunking: "Markdown/128/16/cl100k_base"));
            Assert.Equal("chunking", e.Setting);
            using var writer = Writer(store, chunking: "Markdown/128/16/cl100k_base", reindex: true);
            writer.Commit();
            Assert.Equal("Markdown/128/16/cl100k_base", store.Manifest.Chunking);
        }
    }

    [Fact]
    public async Task A_second_writer_waits_for_the_lock_then_fails_naming_the_holder()
    {
        using var dir = new TempDir();
        using var store = Open(dir.Path);
        var shortWait = Options(dir.Path);
        shortWait.WriterLockTimeout = TimeSpan.FromMilliseconds(200);
        using var other = IndexStore.Open(shortWait);
        using (var writer = Writer(store))
        {
            var e = Assert.Throws<IndexLockedException>(() => Writer(other));
            Assert.Equal(Environment.ProcessId, e.OwnerProcessId);
            Assert.Contains($"is locked by process {Environment.ProcessId}", e.Message, StringComparison.Ordinal);

            var patient = store.OpenWriterAsync(new IndexWriterOptions { Embedder = Embedder, Chunking = "test-chunking" });
            Assert.False(patient.IsCompleted); // it cannot finish while the lock is held
            Put(writer, "a", 1);
            writer.Commit();
            writer.Dispose();
            using var second = await patient;
            Assert.Equal(1, second.Generation); // it starts from the first writer's commit: nothing is lost
        }
    }

    [Fact]
    public void A_second_store_instance_sees_each_commit_of_a_writer_elsewhere()
    {
        using var dir = new TempDir();
        using var writerSide = Open(dir.Path);
        using var readerSide = Open(dir.Path);
        using var writer = Writer(writerSide);
        for (int i = 1; i <= 5; i++)
        {
            Put(writer, "d" + i.ToString(CultureInfo.InvariantCulture), 1);
            writer.Commit();
            using var snapshot = readerSide.AcquireSnapshot();
            Assert.Equal(i, snapshot.Generation);
            Assert.Equal(i, snapshot.Keyword.Count);
            Assert.Equal(i, snapshot.Vectors!.Count);
        }
    }

    /// <summary>Writes the layout format 1 left: no marker, a manifest without settings, format-1 Lucene commit keys.</summary>
    private static void WriteFormatOneStore(string dir)
    {
        var chunks = new List<Chunk> { new("a#0", "a", 0, "alpha a part 0", 0, 10), new("a#1", "a", 1, "alpha a part 1", 10, 10) };
        using (var lucene = LuceneBm25Index.Open(Path.Combine(dir, "lucene")))
        {
            lucene.Upsert(chunks);
            lucene.Commit(new Dictionary<string, string>
            {
                ["rag.generation"] = "1",
                ["rag.documents"] = "1",
                ["rag.chunks"] = "2",
                ["rag.dimension"] = "8",
                ["rag.vectorsFile"] = "vectors.1.bin",
                ["rag.documentsFile"] = "documents.1.json",
            });
        }

        using (var vectors = new ManagedVectorIndex(Dim))
        {
            vectors.Add([ChunkIds.ToVectorId("a#0"), ChunkIds.ToVectorId("a#1")], Hashing.Embed("alpha a part 0").Concat(Hashing.Embed("alpha a part 1")).ToArray());
            vectors.Save(Path.Combine(dir, "vectors.1.bin"));
        }

        File.WriteAllText(Path.Combine(dir, "documents.1.json"), """[{"id":"a","contentHash":"h","chunkCount":2,"source":"/docs/a.md"}]""");
        File.WriteAllText(Path.Combine(dir, "manifest.json"), """
            {"formatVersion":1,"generation":1,"vectorsFile":"vectors.1.bin","documentsFile":"documents.1.json","dimension":8,"documentCount":1,"chunkCount":2,"committedUtc":"2026-11-01T00:00:00+00:00"}
            """);
    }
}
