using System.Collections.Concurrent;
using System.Globalization;
using Rag.Core.Retrieval;
using Rag.Core.Storage;
using static Rag.Core.Tests.Storage.StoreKit;

namespace Rag.Core.Tests.Storage;

public class SnapshotConcurrencyTests
{
    [Fact]
    public async Task Readers_running_during_100_commits_and_20_rollbacks_never_throw_or_see_uncommitted_writes()
    {
        using var dir = new TempDir();
        using var store = Open(dir.Path);
        using var elsewhere = Open(dir.Path); // a second instance reads through the files, as another process would
        var retrievers = new IRetriever[] { new HybridRetriever(store, Hashing), new HybridRetriever(elsewhere, Hashing) };
        using var writer = Writer(store);
        Put(writer, "d0", 1, "committed");
        writer.Commit();
        var held = store.AcquireSnapshot(); // held across every commit and rollback below

        var errors = new ConcurrentQueue<Exception>();
        var iterations = new int[2];
        using var started = new CountdownEvent(iterations.Length);
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, iterations.Length).Select(r => Task.Run(async () =>
        {
            var source = r % 2 == 0 ? store : elsewhere;
            var retriever = retrievers[r % 2];
            long lastGeneration = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using (var snapshot = source.AcquireSnapshot())
                    {
                        if (snapshot.Generation < lastGeneration)
                        {
                            throw new InvalidOperationException($"generation went back from {lastGeneration} to {snapshot.Generation}");
                        }

                        lastGeneration = snapshot.Generation;
                        long chunks = snapshot.Manifest.ChunkCount;
                        if (snapshot.Keyword.Count != chunks || snapshot.Vectors!.Count != chunks)
                        {
                            throw new InvalidOperationException(
                                $"generation {snapshot.Generation}: {snapshot.Keyword.Count} BM25 chunks and {snapshot.Vectors?.Count} vectors, but the manifest says {chunks}");
                        }
                    }

                    var hits = await retriever.RetrieveAsync("ghost committed", 50);
                    var ghost = hits.FirstOrDefault(h => h.Chunk.Text.Contains("ghost", StringComparison.Ordinal));
                    if (ghost is not null)
                    {
                        throw new InvalidOperationException($"a reader saw the rolled-back chunk {ghost.Chunk.Id}");
                    }

                    if (Interlocked.Increment(ref iterations[r]) == 1)
                    {
                        started.Signal();
                    }
                }
                catch (Exception ex)
                {
                    errors.Enqueue(ex);
                    if (Volatile.Read(ref iterations[r]) == 0)
                    {
                        started.Signal();
                    }

                    return;
                }
            }
        })).ToList();

        started.Wait(); // every reader is running before the writer starts
        int commits = 0, rollbacks = 0;
        for (int i = 1; i <= 100; i++)
        {
            string id = "d" + i.ToString(CultureInfo.InvariantCulture);
            Put(writer, id, 1 + (i % 3), "committed");
            if (i % 7 == 0)
            {
                writer.RemoveDocument("d" + (i - 3).ToString(CultureInfo.InvariantCulture));
            }

            writer.Commit();
            commits++;
            if (i % 5 == 0)
            {
                Put(writer, "ghost" + i.ToString(CultureInfo.InvariantCulture), 2, "ghost");
                writer.RemoveDocument(id);
                writer.Rollback();
                rollbacks++;
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.True(errors.IsEmpty, string.Join("\n", errors));
        Assert.Equal(100, commits);
        Assert.Equal(20, rollbacks);
        Assert.All(iterations, n => Assert.True(n > 0));

        // The snapshot taken before all of it still answers, from its own generation.
        Assert.Equal(1, held.Generation);
        Assert.Equal(["d0#0"], held.Keyword.ChunkIds());
        Assert.Equal(1, held.Vectors!.Count);
        held.Dispose();

        using var final = elsewhere.AcquireSnapshot();
        Assert.Equal(101, final.Generation);
        Assert.True(final.Verify().IsConsistent(expectVectors: true));
        Assert.DoesNotContain(final.Documents, d => d.Id.StartsWith("ghost", StringComparison.Ordinal));
        Assert.Equal(["documents.101.json", "vectors.101.bin"],
            Directory.EnumerateFiles(dir.Path, "*.*").Select(Path.GetFileName).Where(n => n!.StartsWith("vectors.", StringComparison.Ordinal) || n.StartsWith("documents.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }
}
