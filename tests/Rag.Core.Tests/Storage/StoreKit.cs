using Rag.Core.Documents;
using Rag.Core.Embeddings;
using Rag.Core.Indexing;
using Rag.Core.Storage;

namespace Rag.Core.Tests.Storage;

/// <summary>Small documents with 4-d vectors, and stores and writers over a temp folder.</summary>
internal static class StoreKit
{
    public const int Dim = 8;

    /// <summary>The embedder the kit's stores are built with (real, and tiny).</summary>
    public static readonly HashingEmbeddingGenerator Hashing = new(Dim);

    /// <summary>Another real embedder of the same dimension: only its bigram weight differs, so its vectors differ.</summary>
    public static readonly HashingEmbeddingGenerator OtherHashing = new(Dim, bigramWeight: 0);

    public static readonly EmbedderIdentity Embedder = EmbedderIdentity.OfAsync(Hashing).GetAwaiter().GetResult();

    public static readonly EmbedderIdentity OtherEmbedder = EmbedderIdentity.OfAsync(OtherHashing).GetAwaiter().GetResult();

    public static IndexStoreOptions Options(string directory, VectorBackend backend = VectorBackend.Managed) => new()
    {
        Directory = directory,
        Vectors = new VectorIndexOptions { Backend = backend, BuildThreads = 1 },
        WriterLockTimeout = TimeSpan.FromSeconds(30),
    };

    public static IndexStore Open(string directory) => IndexStore.Open(Options(directory));

    public static IndexStoreWriter Writer(IndexStore store, EmbedderIdentity? embedder = null, bool keywordOnly = false, bool reindex = false, string chunking = "test-chunking") =>
        store.OpenWriter(new IndexWriterOptions { Embedder = keywordOnly ? null : embedder ?? Embedder, Chunking = chunking, Reindex = reindex });

    public static (DocumentRecord Record, List<Chunk> Chunks, float[] Vectors) Doc(string id, int chunks, string word = "alpha", int dimension = Dim)
    {
        var list = Enumerable.Range(0, chunks)
            .Select(i => new Chunk(Chunk.MakeId(id, i), id, i, $"{word} {id} part {i}", i * 10, 10))
            .ToList();
        var vectors = new float[chunks * dimension];
        for (int i = 0; i < chunks && dimension > 0; i++)
        {
            vectors[(i * dimension) + (i % dimension)] = 1f;
        }

        return (new DocumentRecord(id, "hash-" + id + word, chunks), list, vectors);
    }

    public static void Put(IndexStoreWriter writer, string id, int chunks, string word = "alpha")
    {
        var (record, list, vectors) = Doc(id, chunks, word, writer.Embedder?.Dimension ?? 0);
        writer.PutDocument(record, list, writer.Embedder is null ? ReadOnlySpan<float>.Empty : vectors);
    }

    /// <summary>The committed chunk ids, sorted.</summary>
    public static List<string> CommittedChunkIds(IndexStore store)
    {
        using var snapshot = store.AcquireSnapshot();
        return snapshot.Keyword.ChunkIds().Order(StringComparer.Ordinal).ToList();
    }

    public static StoreVerification Verify(IndexStore store)
    {
        using var snapshot = store.AcquireSnapshot();
        return snapshot.Verify();
    }
}
