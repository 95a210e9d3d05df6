using System.Text.Json;
using Rag.Core.Indexing;
using Rag.Core.Retrieval;
using Rag.Core.Storage;
using static Rag.Core.Tests.Storage.StoreKit;

namespace Rag.Core.Tests.Storage;

public class IndexStoreTests
{
    [Fact]
    public void Commit_makes_both_indexes_agree_and_survives_reopen()
    {
        using var dir = new TempDir();
        using (var store = Open(dir.Path))
        using (var writer = Writer(store))
        {
            Assert.Equal(0, writer.Generation);
            Put(writer, "a", 3);
            Put(writer, "b", 2);
            Assert.Equal(1, writer.Commit());
            Assert.Equal(1, writer.Commit()); // nothing pending: no new generation
        }

        using (var store = Open(dir.Path))
        {
            Assert.Equal(1, store.Generation);
            var v = Verify(store);
            Assert.True(v.IsConsistent(expectVectors: true), v.ToString());
            Assert.Equal(5, v.KeywordChunks);
            Assert.Equal(5, v.VectorCount);
            Assert.Equal(2, store.Manifest.DocumentCount);
            Assert.Equal(Embedder, store.Manifest.Embedder);
            Assert.Equal("test-chunking", store.Manifest.Chunking);
            Assert.Equal(new AnalyzerSettings(EnglishAnalysis.Porter, "LUCENE_48"), store.Manifest.Analyzer);
            Assert.Equal(["documents.1.json", "lucene", "manifest.json", "rag-index.json", "vectors.1.bin", "writer.lock", "writer.pid"],
                Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Replacing_a_document_leaves_no_stale_chunks_in_either_index()
    {
        using var dir = new TempDir();
        using var store = Open(dir.Path);
        using (var writer = Writer(store))
        {
            Put(writer, "a", 5);
            writer.Commit();
            Put(writer, "a", 2, "beta");
            writer.Commit();
        }

        using var snapshot = store.AcquireSnapshot();
        Assert.True(snapshot.Verify().IsConsistent(true), snapshot.Verify().ToString());
        Assert.Equal(["a#0", "a#1"], snapshot.Keyword.ChunkIds().Order(StringComparer.Ordinal));
        Assert.Equal(2, snapshot.Vectors!.Count);
        Assert.False(snapshot.Vectors.Contains(Rag.Core.Indexing.ChunkIds.ToVectorId("a#4")));
        Assert.Empty(snapshot.Keyword.Search("alpha", 10));
        Assert.Equal(2, snapshot.Keyword.Search("beta", 10).Count);
    }

    [Fact]
    public void Remove_deletes_from_both_indexes()
    {
        using var dir = new TempDir();
        using var store = Open(dir.Path);
        using (var writer = Writer(store))
        {
            Put(writer, "a", 2);
            Put(writer, "b", 3);
            writer.Commit();
            Assert.True(writer.RemoveDocument("b"));
            Assert.False(writer.RemoveDocument("zzz"));
            writer.Commit();
        }

        using var snapshot = store.AcquireSnapshot();
        Assert.Equal(["a#0", "a#1"], snapshot.Keyword.ChunkIds().Order(StringComparer.Ordinal));
        Assert.Equal(2, snapshot.Vectors!.Count);
        Assert.Null(snapshot.GetDocument("b"));
        Assert.True(snapshot.Verify().IsConsistent(true));
    }

    [Fact]
    public void Uncommitted_writes_are_invisible_lost_on_reopen_and_dropped_by_rollback()
    {
        using var dir = new TempDir();
        using (var store = Open(dir.Path))
        using (var writer = Writer(store))
        {
            Put(writer, "a", 2);
            writer.Commit();
            Put(writer, "b", 2);
            using (var snapshot = store.AcquireSnapshot())
            {
                Assert.Null(snapshot.GetDocument("b")); // readers never see uncommitted writes
                Assert.Equal(2, snapshot.Vectors!.Count);
                Assert.DoesNotContain(snapshot.Keyword.Search("b", 10), h => h.Chunk.DocumentId == "b");
            }

            writer.Rollback();
            Assert.Null(writer.GetDocument("b"));
            Put(writer, "c", 2);
            // Dispose without commit, like a crash before the commit.
        }

        using (var store = Open(dir.Path))
        {
            Assert.Equal(1, store.Generation);
            using var snapshot = store.AcquireSnapshot();
            Assert.Null(snapshot.GetDocument("c"));
            Assert.True(snapshot.Verify().IsConsistent(true));
            Assert.Equal(2, snapshot.Keyword.Count);
        }
    }

    [Fact]
    public void Crash_before_the_lucene_commit_recovers_the_previous_generation_and_deletes_only_its_own_orphans()
    {
        using var dir = new TempDir();
        using (var store = Open(dir.Path))
        using (var writer = Writer(store))
        {
            Put(writer, "a", 2);
            writer.Commit();
        }

        // Steps (1) and (2) of generation 2 happened, then the process died before step (3); a user's files sit beside them.
        File.WriteAllBytes(Path.Combine(dir.Path, "vectors.2.bin"), [1, 2, 3]);
        File.WriteAllText(Path.Combine(dir.Path, "documents.2.json"), "[");
        string ownTemp = Path.Combine(dir.Path, ".manifest.json.123.0123456789abcdef0123456789abcdef.tmp");
        File.WriteAllText(ownTemp, "{");
        string foreignTemp = Path.Combine(dir.Path, "notes.tmp");
        File.WriteAllText(foreignTemp, "keep");

        using (var store = Open(dir.Path))
        {
            using (var writer = Writer(store))
            {
                Assert.Equal(1, writer.Generation);
            }

            Assert.True(Verify(store).IsConsistent(true));
            Assert.False(File.Exists(Path.Combine(dir.Path, "vectors.2.bin")));
            Assert.False(File.Exists(Path.Combine(dir.Path, "documents.2.json")));
            Assert.False(File.Exists(ownTemp));
            Assert.Equal("keep", File.ReadAllText(foreignTemp)); // never delete a file the store did not create
        }
    }

    [Fact]
    public void Crash_between_the_lucene_commit_and_the_manifest_rolls_forward()
    {
        using var dir = new TempDir();
        string manifest = Path.Combine(dir.Path, "manifest.json");
        using (var store = Open(dir.Path))
        using (var writer = Writer(store))
        {
            Put(writer, "a", 2);
            writer.Commit();
        }

        string gen1Manifest = File.ReadAllText(manifest);
        string gen1Vectors = Path.Combine(dir.Path, "vectors.1.bin");
        byte[] gen1VectorBytes = File.ReadAllBytes(gen1Vectors);
        using (var store = Open(dir.Path))
        using (var writer = Writer(store))
        {
            Put(writer, "b", 3);
            writer.Commit();
        }

        // Generation 2 reached Lucene but the manifest write (4) and the cleanup (5) did not happen.
        File.WriteAllText(manifest, gen1Manifest);
        File.WriteAllBytes(gen1Vectors, gen1VectorBytes);

        using (var store = Open(dir.Path))
        {
            Assert.Equal(1, store.Generation); // readers see the manifest's generation until a writer recovers
            using (var writer = Writer(store))
            {
                Assert.Equal(2, writer.Generation);
            }

            Assert.Equal(2, JsonDocument.Parse(File.ReadAllText(manifest)).RootElement.GetProperty("generation").GetInt64());
            var v = Verify(store);
            Assert.True(v.IsConsistent(true), v.ToString());
            Assert.Equal(5, v.KeywordChunks);
            Assert.Equal(Embedder, store.Manifest.Embedder); // the rolled-forward manifest keeps the settings
            Assert.False(File.Exists(gen1Vectors));
        }
    }

    [Fact]
    public void Manifest_behind_lucene_without_generation_files_reverts_lucene()
    {
        using var dir = new TempDir();
        string manifest = Path.Combine(dir.Path, "manifest.json");
        using (var store = Open(dir.Path))
        using (var writer = Writer(store))
        {
            Put(writer, "a", 2);
            writer.Commit();
        }

        string gen1Manifest = File.ReadAllText(manifest);
        byte[] gen1Vectors = File.ReadAllBytes(Path.Combine(dir.Path, "vectors.1.bin"));
        string gen1Docs = File.ReadAllText(Path.Combine(dir.Path, "documents.1.json"));
        using (var store = Open(dir.Path))
        using (var writer = Writer(store))
        {
            Put(writer, "b", 3);
            writer.Commit();
        }

        // A restored generation-1 manifest and files (generation 2's files are gone): Lucene must go back to generation 1.
        File.WriteAllText(manifest, gen1Manifest);
        File.WriteAllBytes(Path.Combine(dir.Path, "vectors.1.bin"), gen1Vectors);
        File.WriteAllText(Path.Combine(dir.Path, "documents.1.json"), gen1Docs);
        File.Delete(Path.Combine(dir.Path, "vectors.2.bin"));
        File.Delete(Path.Combine(dir.Path, "documents.2.json"));

        using var reopened = Open(dir.Path);
        using (var writer = Writer(reopened))
        {
            Assert.Equal(1, writer.Generation);
        }

        Assert.Equal(["a#0", "a#1"], CommittedChunkIds(reopened));
        Assert.True(Verify(reopened).IsConsistent(true));
    }

    [Theory]
    [InlineData("Flat")]
    [InlineData("HNSW16")]
    public void Faiss_backed_store_replaces_removes_and_reloads(string description)
    {
        using var dir = new TempDir();
        var options = Options(dir.Path, VectorBackend.Faiss);
        options.Vectors.FaissDescription = description;
        using (var store = IndexStore.Open(options))
        using (var writer = Writer(store))
        {
            Put(writer, "a", 4);
            Put(writer, "b", 2);
            writer.Commit();
            Put(writer, "a", 1, "beta");
            Assert.True(writer.RemoveDocument("b"));
            writer.Commit();
        }

        using (var store = IndexStore.Open(options))
        using (var snapshot = store.AcquireSnapshot())
        {
            var v = snapshot.Verify();
            Assert.True(v.IsConsistent(expectVectors: true), v.ToString());
            Assert.Equal(1, snapshot.Vectors!.Count);
            var hit = snapshot.Vectors.Search(new float[] { 1, 0, 0, 0, 0, 0, 0, 0 }, 1)[0];
            Assert.Equal("a#0", snapshot.Keyword.GetByVectorId(hit.Id)!.Id);
        }
    }

    [Fact]
    public void Keyword_only_store_has_no_vector_file()
    {
        using var dir = new TempDir();
        using var store = Open(dir.Path);
        using (var writer = Writer(store, keywordOnly: true))
        {
            Put(writer, "a", 2);
            writer.Commit();
        }

        using var snapshot = store.AcquireSnapshot();
        Assert.Null(snapshot.Vectors);
        Assert.Null(snapshot.Manifest.VectorsFile);
        Assert.Null(snapshot.Manifest.Embedder);
        Assert.True(snapshot.Verify().IsConsistent(expectVectors: false));
    }

    [Fact]
    public void The_vector_index_exists_from_the_start()
    {
        using var dir = new TempDir();
        using var store = Open(dir.Path);
        using (var writer = Writer(store))
        {
            writer.Commit(); // nothing pending: generation 0 stays
            Put(writer, "a", 1);
            writer.RemoveDocument("a");
            writer.Commit();
        }

        using var snapshot = store.AcquireSnapshot();
        Assert.Equal(1, snapshot.Generation);
        Assert.NotNull(snapshot.Vectors);
        Assert.Equal(Dim, snapshot.Vectors.Dimension);
        Assert.Equal(0, snapshot.Vectors.Count);
    }

    [Fact]
    public async Task A_retriever_built_over_an_empty_store_searches_the_vectors_committed_later()
    {
        // Issue 8, reproduction 5: a retriever built over an empty store used to stay BM25-only for good.
        using var dir = new TempDir();
        using var store = Open(dir.Path);
        var retriever = new HybridRetriever(store, Hashing);
        Assert.Empty(await retriever.RetrieveAsync("alpha", 3));
        using (var writer = Writer(store))
        {
            Put(writer, "a", 2);
            writer.Commit();
        }

        var hits = await retriever.RetrieveAsync("alpha a part", 3);
        Assert.Equal(2, hits.Count);
        Assert.All(hits, h => Assert.NotNull(h.VectorRank));
        Assert.Equal(2, (await retriever.RetrieveAsync("alpha", new RetrievalRequestOptions { Mode = RetrievalMode.Dense })).Count);
    }

    [Fact]
    public void Bad_arguments_are_rejected_clearly()
    {
        using var dir = new TempDir();
        using var store = Open(dir.Path);
        using var writer = Writer(store);
        Put(writer, "a", 1);
        var (record, chunks, _) = Doc("b", 2);
        var ex = Assert.Throws<ArgumentException>(() => writer.PutDocument(record, chunks, new float[3]));
        Assert.Contains("one vector of dimension 8 per chunk", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => writer.PutDocument(record with { ChunkCount = 3 }, chunks, new float[16]));
        Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() => IndexStore.Open(new IndexStoreOptions { Directory = " " }));
    }

    [Fact]
    public void Disposed_store_and_writer_throw()
    {
        using var dir = new TempDir();
        var store = Open(dir.Path);
        var writer = Writer(store);
        writer.Dispose();
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Commit());
        var snapshot = store.AcquireSnapshot();
        snapshot.Dispose();
        snapshot.Dispose();
        Assert.Throws<ObjectDisposedException>(() => snapshot.Keyword);
        store.Dispose();
        store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => store.AcquireSnapshot());
    }
}
