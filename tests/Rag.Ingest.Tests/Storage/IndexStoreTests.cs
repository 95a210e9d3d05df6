using System.Text.Json;
using Rag.Core.Documents;
using Rag.Core.Indexing;
using Rag.Ingest.Storage;

namespace Rag.Ingest.Tests.Storage;

public class IndexStoreTests
{
    private const int Dim = 4;

    private static IndexStore Open(TempDir dir) => IndexStore.Open(new IndexStoreOptions { Directory = dir.Path });

    private static (DocumentRecord Record, List<Chunk> Chunks, float[] Vectors) Doc(string id, int chunks, string word = "alpha")
    {
        var list = Enumerable.Range(0, chunks)
            .Select(i => new Chunk(Chunk.MakeId(id, i), id, i, $"{word} {id} part {i}", i * 10, 10))
            .ToList();
        var vectors = new float[chunks * Dim];
        for (int i = 0; i < chunks; i++)
        {
            vectors[(i * Dim) + (i % Dim)] = 1f;
        }

        return (new DocumentRecord(id, "hash-" + id + word, chunks), list, vectors);
    }

    private static void Put(IndexStore store, string id, int chunks, string word = "alpha")
    {
        var (record, list, vectors) = Doc(id, chunks, word);
        store.PutDocument(record, list, vectors);
    }

    [Fact]
    public void Commit_makes_both_indexes_agree_and_survives_reopen()
    {
        using var dir = new TempDir();
        using (var store = Open(dir))
        {
            Assert.Equal(0, store.Generation);
            Put(store, "a", 3);
            Put(store, "b", 2);
            Assert.Equal(1, store.Commit());
            Assert.Equal(1, store.Commit()); // nothing pending: no new generation
        }

        using (var store = Open(dir))
        {
            Assert.Equal(1, store.Generation);
            var v = store.Verify();
            Assert.True(v.IsConsistent(expectVectors: true), v.ToString());
            Assert.Equal(5, v.KeywordChunks);
            Assert.Equal(5, v.VectorCount);
            Assert.Equal(2, store.Manifest.DocumentCount);
            Assert.Equal(["documents.1.json", "lucene", "manifest.json", "vectors.1.bin"],
                Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Replacing_a_document_leaves_no_stale_chunks_in_either_index()
    {
        using var dir = new TempDir();
        using var store = Open(dir);
        Put(store, "a", 5);
        store.Commit();
        Put(store, "a", 2, "beta");
        store.Commit();

        var v = store.Verify();
        Assert.True(v.IsConsistent(true), v.ToString());
        Assert.Equal(["a#0", "a#1"], store.Keyword.ChunkIds().Order(StringComparer.Ordinal));
        Assert.Equal(2, store.Vectors!.Count);
        Assert.False(store.Vectors.Contains(ChunkIds.ToVectorId("a#4")));
        Assert.Empty(store.Keyword.Search("alpha", 10));
        Assert.Equal(2, store.Keyword.Search("beta", 10).Count);
    }

    [Fact]
    public void Remove_deletes_from_both_indexes()
    {
        using var dir = new TempDir();
        using var store = Open(dir);
        Put(store, "a", 2);
        Put(store, "b", 3);
        store.Commit();
        Assert.True(store.RemoveDocument("b"));
        Assert.False(store.RemoveDocument("zzz"));
        store.Commit();

        Assert.Equal(["a#0", "a#1"], store.Keyword.ChunkIds().Order(StringComparer.Ordinal));
        Assert.Equal(2, store.Vectors!.Count);
        Assert.Null(store.GetDocument("b"));
        Assert.True(store.Verify().IsConsistent(true));
    }

    [Fact]
    public void Uncommitted_writes_are_lost_on_reopen_and_dropped_by_rollback()
    {
        using var dir = new TempDir();
        using (var store = Open(dir))
        {
            Put(store, "a", 2);
            store.Commit();
            Put(store, "b", 2);
            store.Rollback();
            Assert.Null(store.GetDocument("b"));
            Assert.Equal(2, store.Vectors!.Count);
            Put(store, "c", 2);
            // Dispose without commit, like a crash before the commit.
        }

        using (var store = Open(dir))
        {
            Assert.Equal(1, store.Generation);
            Assert.Null(store.GetDocument("c"));
            Assert.True(store.Verify().IsConsistent(true));
            Assert.Equal(2, store.Keyword.Count);
        }
    }

    [Fact]
    public void Crash_before_the_lucene_commit_recovers_the_previous_generation_and_deletes_orphans()
    {
        using var dir = new TempDir();
        using (var store = Open(dir))
        {
            Put(store, "a", 2);
            store.Commit();
        }

        // Steps (1) and (2) of generation 2 happened, then the process died before step (3).
        File.WriteAllBytes(Path.Combine(dir.Path, "vectors.2.bin"), [1, 2, 3]);
        File.WriteAllText(Path.Combine(dir.Path, "documents.2.json"), "[");
        File.WriteAllText(Path.Combine(dir.Path, ".manifest.json.123.abc.tmp"), "{");

        using (var store = Open(dir))
        {
            Assert.Equal(1, store.Generation);
            Assert.True(store.Verify().IsConsistent(true));
            Assert.False(File.Exists(Path.Combine(dir.Path, "vectors.2.bin")));
            Assert.False(File.Exists(Path.Combine(dir.Path, "documents.2.json")));
            Assert.False(File.Exists(Path.Combine(dir.Path, ".manifest.json.123.abc.tmp")));
        }
    }

    [Fact]
    public void Crash_between_the_lucene_commit_and_the_manifest_rolls_forward()
    {
        using var dir = new TempDir();
        string manifest = Path.Combine(dir.Path, "manifest.json");
        using (var store = Open(dir))
        {
            Put(store, "a", 2);
            store.Commit();
        }

        string gen1Manifest = File.ReadAllText(manifest);
        string gen1Vectors = Path.Combine(dir.Path, "vectors.1.bin");
        byte[] gen1VectorBytes = File.ReadAllBytes(gen1Vectors);
        using (var store = Open(dir))
        {
            Put(store, "b", 3);
            store.Commit();
        }

        // Generation 2 reached Lucene but the manifest write (4) and the cleanup (5) did not happen.
        File.WriteAllText(manifest, gen1Manifest);
        File.WriteAllBytes(gen1Vectors, gen1VectorBytes);

        using (var store = Open(dir))
        {
            Assert.Equal(2, store.Generation);
            Assert.Equal(2, JsonDocument.Parse(File.ReadAllText(manifest)).RootElement.GetProperty("generation").GetInt64());
            var v = store.Verify();
            Assert.True(v.IsConsistent(true), v.ToString());
            Assert.Equal(5, v.KeywordChunks);
            Assert.False(File.Exists(gen1Vectors));
        }
    }

    [Fact]
    public void Manifest_behind_lucene_without_generation_files_reverts_lucene()
    {
        using var dir = new TempDir();
        string manifest = Path.Combine(dir.Path, "manifest.json");
        using (var store = Open(dir))
        {
            Put(store, "a", 2);
            store.Commit();
        }

        string gen1Manifest = File.ReadAllText(manifest);
        byte[] gen1Vectors = File.ReadAllBytes(Path.Combine(dir.Path, "vectors.1.bin"));
        string gen1Docs = File.ReadAllText(Path.Combine(dir.Path, "documents.1.json"));
        using (var store = Open(dir))
        {
            Put(store, "b", 3);
            store.Commit();
        }

        // A restored generation-1 manifest and files (generation 2's files are gone): Lucene must go back to generation 1.
        File.WriteAllText(manifest, gen1Manifest);
        File.WriteAllBytes(Path.Combine(dir.Path, "vectors.1.bin"), gen1Vectors);
        File.WriteAllText(Path.Combine(dir.Path, "documents.1.json"), gen1Docs);
        File.Delete(Path.Combine(dir.Path, "vectors.2.bin"));
        File.Delete(Path.Combine(dir.Path, "documents.2.json"));

        using var reopened = Open(dir);
        Assert.Equal(1, reopened.Generation);
        Assert.Equal(["a#0", "a#1"], reopened.Keyword.ChunkIds().Order(StringComparer.Ordinal));
        Assert.True(reopened.Verify().IsConsistent(true));
    }

    [Theory]
    [InlineData("Flat")]
    [InlineData("HNSW16")]
    public void Faiss_backed_store_replaces_removes_and_reloads(string description)
    {
        using var dir = new TempDir();
        var factory = new VectorIndexFactory(new VectorIndexOptions { Backend = VectorBackend.Faiss, FaissDescription = description, BuildThreads = 1 });
        var options = new IndexStoreOptions { Directory = dir.Path, CreateVectorIndex = factory.Create, LoadVectorIndex = factory.Load };
        using (var store = IndexStore.Open(options))
        {
            Put(store, "a", 4);
            Put(store, "b", 2);
            store.Commit();
            Put(store, "a", 1, "beta");
            Assert.True(store.RemoveDocument("b"));
            store.Commit();
            Assert.IsType<FaissVectorIndex>(store.Vectors);
        }

        using (var store = IndexStore.Open(options))
        {
            Assert.IsType<FaissVectorIndex>(store.Vectors);
            var v = store.Verify();
            Assert.True(v.IsConsistent(expectVectors: true), v.ToString());
            Assert.Equal(1, store.Vectors!.Count);
            var hit = store.Vectors.Search(new float[] { 1, 0, 0, 0 }, 1)[0];
            Assert.Equal("a#0", store.Keyword.GetByVectorId(hit.Id)!.Id);
        }
    }

    [Fact]
    public void Keyword_only_store_has_no_vector_file()
    {
        using var dir = new TempDir();
        using var store = Open(dir);
        var (record, chunks, _) = Doc("a", 2);
        store.PutDocument(record, chunks, ReadOnlySpan<float>.Empty);
        store.Commit();
        Assert.Null(store.Vectors);
        Assert.Null(store.Manifest.VectorsFile);
        Assert.True(store.Verify().IsConsistent(expectVectors: false));
    }

    [Fact]
    public void Bad_arguments_are_rejected_clearly()
    {
        using var dir = new TempDir();
        using var store = Open(dir);
        Put(store, "a", 1);
        var (record, chunks, _) = Doc("b", 2);
        var ex = Assert.Throws<ArgumentException>(() => store.PutDocument(record, chunks, new float[3]));
        Assert.Contains("one vector per chunk", ex.Message, StringComparison.Ordinal);
        var ex2 = Assert.Throws<ArgumentException>(() => store.PutDocument(record, chunks, new float[2 * 8]));
        Assert.Contains("dimension 8", ex2.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => IndexStore.Open(new IndexStoreOptions { Directory = " " }));
    }

    [Fact]
    public void Disposed_store_throws()
    {
        using var dir = new TempDir();
        var store = Open(dir);
        store.Dispose();
        store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => store.Commit());
    }
}
