using Rag.Core.Indexing;

namespace Rag.Core.Tests.Indexing;

public class VectorIndexTests
{
    private const int Dim = 32;

    public static TheoryData<string> Backends => new() { "managed", "Flat", "HNSW32" };

    private static IVectorIndex Create(string backend) => backend == "managed"
        ? new ManagedVectorIndex(Dim)
        : FaissVectorIndex.Create(Dim, new VectorIndexOptions { FaissDescription = backend, EfSearch = 64, BuildThreads = 1 });

    private static long[] Ids(int n, long offset = 1000) => Enumerable.Range(0, n).Select(i => offset + i).ToArray();

    [Theory]
    [MemberData(nameof(Backends))]
    public void Search_finds_a_stored_vector_first(string backend)
    {
        using var index = Create(backend);
        var data = TestVectors.RandomUnitVectors(500, Dim, 1);
        index.Add(Ids(500), data);
        Assert.Equal(500, index.Count);
        for (int i = 0; i < 500; i += 50)
        {
            var hits = index.Search(data.AsSpan(i * Dim, Dim), 5);
            Assert.Equal(5, hits.Count);
            Assert.Equal(1000 + i, hits[0].Id);
            Assert.Equal(1f, hits[0].Score, 3);
            Assert.True(hits[0].Score >= hits[1].Score);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Remove_and_readd_replace_vectors(string backend)
    {
        using var index = Create(backend);
        var data = TestVectors.RandomUnitVectors(100, Dim, 2);
        index.Add(Ids(100), data);
        Assert.Equal(2, index.Remove([1003, 1004, 999_999]));
        Assert.Equal(98, index.Count);
        Assert.False(index.Contains(1003));
        var hits = index.Search(data.AsSpan(3 * Dim, Dim), 10);
        Assert.DoesNotContain(hits, h => h.Id is 1003 or 1004);
        Assert.Equal(10, hits.Count);

        // Adding an existing id replaces its vector: id 1010 now holds vector 3.
        index.Add([1010], data.AsSpan(3 * Dim, Dim));
        Assert.Equal(98, index.Count);
        Assert.Equal(1010, index.Search(data.AsSpan(3 * Dim, Dim), 1)[0].Id);
        Assert.NotEqual(1010, index.Search(data.AsSpan(10 * Dim, Dim), 1)[0].Id);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Save_and_load_round_trip(string backend)
    {
        using var temp = new TempDir();
        string dir = temp.Path;
        try
        {
            string path = Path.Combine(dir, "vectors.index");
            var data = TestVectors.RandomUnitVectors(300, Dim, 3);
            IReadOnlyList<VectorHit> before;
            using (var index = Create(backend))
            {
                index.Add(Ids(300), data);
                index.Remove([1007]);
                before = index.Search(data.AsSpan(9 * Dim, Dim), 10);
                index.Save(path);
                index.Save(path); // overwrite is atomic too
            }

            Assert.Single(Directory.GetFiles(dir));
            using var loaded = new VectorIndexFactory().Load(path);
            Assert.Equal(backend == "managed" ? typeof(ManagedVectorIndex) : typeof(FaissVectorIndex), loaded.GetType());
            Assert.Equal(299, loaded.Count);
            Assert.False(loaded.Contains(1007));
            var after = loaded.Search(data.AsSpan(9 * Dim, Dim), 10);
            Assert.Equal(before.Select(h => h.Id), after.Select(h => h.Id));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Bad_input_throws_clear_errors(string backend)
    {
        using var index = Create(backend);
        var e = Assert.Throws<ArgumentException>(() => index.Add([1, 2], new float[Dim]));
        Assert.Contains("2 vectors", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => index.Add([-5], new float[Dim]));
        Assert.Throws<ArgumentException>(() => index.Add([7, 7], new float[2 * Dim]));
        Assert.Throws<ArgumentException>(() => index.Search(new float[Dim + 1], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(new float[Dim], 0));
        Assert.Empty(index.Search(new float[Dim], 3));
    }

    [Fact]
    public void Managed_and_faiss_flat_return_identical_top_k()
    {
        var data = TestVectors.RandomUnitVectors(3000, Dim, 4);
        var queries = TestVectors.RandomUnitVectors(50, Dim, 5);
        using var managed = new ManagedVectorIndex(Dim);
        using var faiss = FaissVectorIndex.Create(Dim, new VectorIndexOptions { FaissDescription = "Flat" });
        managed.Add(Ids(3000), data);
        faiss.Add(Ids(3000), data);
        var batch = faiss.SearchBatch(queries, 10);
        for (int q = 0; q < 50; q++)
        {
            var m = managed.Search(queries.AsSpan(q * Dim, Dim), 10);
            var f = faiss.Search(queries.AsSpan(q * Dim, Dim), 10);
            Assert.Equal(m.Select(h => h.Id), f.Select(h => h.Id));
            Assert.Equal(f.Select(h => h.Id), batch[q].Select(h => h.Id));
            for (int i = 0; i < 10; i++)
            {
                Assert.Equal(m[i].Score, f[i].Score, 4);
            }
        }
    }

    [Fact]
    public void Managed_parallel_search_equals_single_threaded()
    {
        var data = TestVectors.RandomUnitVectors(20_000, Dim, 6);
        using var one = new ManagedVectorIndex(Dim);
        using var two = new ManagedVectorIndex(Dim, maxDegreeOfParallelism: 2);
        one.Add(Ids(20_000), data);
        two.Add(Ids(20_000), data);
        var q = TestVectors.RandomUnitVectors(1, Dim, 7);
        Assert.Equal(one.Search(q, 20), two.Search(q, 20));
    }

    [Fact]
    public void Faiss_ivf_needs_training_then_searches()
    {
        const int dim = 64;
        var data = TestVectors.RandomUnitVectors(4000, dim, 8);
        using var index = FaissVectorIndex.Create(dim, new VectorIndexOptions { FaissDescription = "IVF16,Flat", NProbe = 4, BuildThreads = 1 });
        Assert.False(index.IsTrained);
        var e = Assert.Throws<FaissException>(() => index.Add(Ids(10), data.AsSpan(0, 10 * dim)));
        Assert.Contains("trained", e.Message, StringComparison.Ordinal);
        index.Train(data);
        Assert.True(index.IsTrained);
        index.Add(Ids(4000), data);
        Assert.Equal(4, index.NProbe);
        // IVF probes 4 of 16 lists, so a few self-matches may be missed, but most must be found first.
        int found = 0;
        for (int i = 0; i < 100; i++)
        {
            if (index.Search(data.AsSpan(i * dim, dim), 10)[0].Id == 1000 + i)
            {
                found++;
            }
        }

        Assert.True(found >= 80, $"self-recall@1 {found}/100");
        Assert.Equal(2, index.Remove([1000, 1001]));
        Assert.Equal(3998, index.Count);
    }

    [Fact]
    public void Faiss_ivf_pq_trains_adds_and_finds_most_vectors()
    {
        // 8-bit PQ: the shim turns off FAISS's polysemous training, which otherwise takes minutes here.
        const int dim = 64;
        var data = TestVectors.RandomUnitVectors(3000, dim, 11);
        using var index = FaissVectorIndex.Create(dim, new VectorIndexOptions { FaissDescription = "IVF8,PQ16", NProbe = 8, BuildThreads = 1 });
        index.Train(data);
        index.Add(Ids(3000), data);
        int found = Enumerable.Range(0, 100).Count(i => index.Search(data.AsSpan(i * dim, dim), 10).Any(h => h.Id == 1000 + i));
        Assert.True(found >= 60, $"self-recall@10 {found}/100");
    }

    [Fact]
    public void Faiss_hnsw_parameters_and_tombstones()
    {
        using var index = FaissVectorIndex.Create(Dim, new VectorIndexOptions { FaissDescription = "HNSW16", EfConstruction = 80, EfSearch = 33 });
        Assert.Equal(33, index.EfSearch);
        index.EfSearch = 100;
        Assert.Equal(100, index.EfSearch);
        var data = TestVectors.RandomUnitVectors(200, Dim, 9);
        index.Add(Ids(200), data);
        index.Remove([1000]);
        Assert.Equal(1, index.TombstoneCount);
        Assert.Equal(199, index.Count);
        Assert.NotEqual(1000, index.Search(data.AsSpan(0, Dim), 1)[0].Id);
        Assert.Throws<FaissException>(() => index.NProbe = 4);
    }

    [Fact]
    public void Faiss_rejects_bad_factory_string_with_faiss_message()
    {
        var e = Assert.Throws<FaissException>(() => FaissVectorIndex.Create(Dim, new VectorIndexOptions { FaissDescription = "NoSuchIndex99" }));
        Assert.Contains("NoSuchIndex99", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Faiss_dispose_frees_once_and_blocks_further_use()
    {
        var index = FaissVectorIndex.Create(Dim);
        index.Add([1], TestVectors.RandomUnitVectors(1, Dim, 10));
        index.Dispose();
        index.Dispose();
        Assert.Throws<ObjectDisposedException>(() => index.Search(new float[Dim], 1));
        Assert.Throws<ObjectDisposedException>(() => index.Add([2], new float[Dim]));
    }

    [Fact]
    public void Missing_native_library_gives_a_clear_error_and_auto_falls_back()
    {
        string bad = Path.Combine(Path.GetTempPath(), "no-such-dir", "librag_faiss.so");
        var e = Assert.Throws<FaissNativeLibraryException>(() => FaissNativeLibrary.EnsureLoaded(bad));
        Assert.Contains("build.sh", e.Message, StringComparison.Ordinal);
        Assert.Throws<FaissNativeLibraryException>(() => FaissVectorIndex.Create(Dim, new VectorIndexOptions { NativeLibraryPath = bad }));

        var auto = new VectorIndexFactory(new VectorIndexOptions { NativeLibraryPath = bad });
        Assert.Equal(VectorBackend.Managed, auto.EffectiveBackend);
        using var fallback = auto.Create(Dim);
        Assert.IsType<ManagedVectorIndex>(fallback);

        Assert.Equal(VectorBackend.Faiss, new VectorIndexFactory().EffectiveBackend);
        Assert.Equal(10703, FaissNativeLibrary.FaissVersion);
    }

    [Fact]
    public void Load_rejects_foreign_files()
    {
        using var temp = new TempDir();
        string dir = temp.Path;
        try
        {
            string path = Path.Combine(dir, "junk.index");
            File.WriteAllBytes(path, new byte[100]);
            Assert.Throws<InvalidDataException>(() => FaissVectorIndex.Load(path));
            Assert.Throws<InvalidDataException>(() => ManagedVectorIndex.Load(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
