using Rag.Core.Storage;
using static Rag.Core.Tests.Storage.StoreKit;

namespace Rag.Core.Tests.Storage;

/// <summary>
/// Power-loss simulation of the store's commit protocol: a scenario of commits, a rollback and a reopen runs over a
/// <see cref="PowerLossFileSystem"/> that loses power at operation k, for every k; the disk a power loss would leave (with
/// none, some or all of the not-yet-durable folder changes persisted) must reopen consistent, at the last acknowledged
/// generation or the one being committed, with exactly that generation's documents.
/// </summary>
public class PowerLossTests
{
    /// <summary>The documents (id → chunk count) of each generation the scenario commits.</summary>
    private static readonly Dictionary<string, int>[] Expected =
    [
        [],
        new() { ["a"] = 2, ["b"] = 1 },
        new() { ["b"] = 1, ["c"] = 3 },
        new() { ["a"] = 1, ["b"] = 1, ["c"] = 3 },
        new() { ["a"] = 1, ["c"] = 3 },
    ];

    [Fact]
    public void Every_crash_point_of_a_sampled_set_reopens_consistent_without_losing_an_acknowledged_commit() =>
        Sweep(stride: 7);

    [Fact]
    [Trait("Category", "Slow")]
    public void Every_crash_point_reopens_consistent_without_losing_an_acknowledged_commit() =>
        Sweep(stride: 1);

    private static void Sweep(int stride)
    {
        using var work = new TempDir();
        int total = RunScenario(Path.Combine(work.Path, "count"), int.MaxValue, out _).Operations;
        Assert.True(total > 50, $"the scenario performs {total} file operations");
        var failures = new List<string>();
        int checkedImages = 0;
        for (int k = 1; k <= total; k += stride)
        {
            string dir = Path.Combine(work.Path, $"run{k}");
            var fs = RunScenario(dir, k, out long acknowledged);
            Assert.True(fs.Crashed, $"no power loss at operation {k} of {total}");
            foreach (int persisted in new[] { 0, fs.PendingAtCrash / 2, fs.PendingAtCrash }.Distinct())
            {
                string image = Path.Combine(work.Path, $"image{k}-{persisted}");
                fs.Materialize(image, persisted);
                string? failure = CheckImage(image, acknowledged);
                checkedImages++;
                if (failure is not null)
                {
                    failures.Add($"power lost at operation {k} (acknowledged generation {acknowledged}, {persisted} of {fs.PendingAtCrash} pending folder changes kept): {failure}");
                }

                if (Directory.Exists(image))
                {
                    Directory.Delete(image, recursive: true);
                }
            }

            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedImages} images failed:\n" + string.Join("\n", failures));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void A_first_lucene_commit_torn_by_a_power_loss_reopens_as_an_empty_store(int survivingBytes)
    {
        // The full sweep's operation 10: power lost while Lucene wrote the store's first segments file; its folder entry
        // survived, its content did not (or only partly). There is no older commit to fall back to.
        using var dir = new TempDir();
        using (Open(dir.Path))
        {
        }

        dir.File("lucene/segments_1", new byte[] { 0x3f, 0xd7, 0x6c, 0x17, 0, 0, 0, 0 }.Take(survivingBytes).ToArray());
        using var store = Open(dir.Path);
        using (var snapshot = store.AcquireSnapshot())
        {
            Assert.Equal(0, snapshot.Generation);
            Assert.Empty(snapshot.Keyword.Search("alpha", 5));
        }

        using (var writer = Writer(store))
        {
            Assert.Equal(0, writer.Generation);
            Put(writer, "a", 2);
            Assert.Equal(1, writer.Commit());
        }

        Assert.True(Verify(store).IsConsistent(expectVectors: true));
        Assert.Equal(["a#0", "a#1"], CommittedChunkIds(store));
    }

    /// <summary>Runs the scenario until it finishes or the power fails; returns the file system model.</summary>
    private static PowerLossFileSystem RunScenario(string dir, int crashAt, out long acknowledged)
    {
        var fs = new PowerLossFileSystem(dir, crashAt);
        var options = Options(dir);
        options.FileSystem = fs;
        acknowledged = 0;
        IndexStore? store = null;
        IndexStoreWriter? writer = null;
        try
        {
            store = IndexStore.Open(options);
            writer = Writer(store);
            Put(writer, "a", 2);
            Put(writer, "b", 1);
            acknowledged = writer.Commit();
            Put(writer, "c", 3);
            writer.RemoveDocument("a");
            acknowledged = writer.Commit();
            Put(writer, "x", 2);
            writer.Rollback();
            Put(writer, "a", 1, "beta");
            acknowledged = writer.Commit();
            writer.Dispose();
            writer = Writer(store); // a second session: recovery and cleanup run again
            writer.RemoveDocument("b");
            acknowledged = writer.Commit();
        }
        catch (PowerLossException)
        {
            // The machine stopped here.
        }
        finally
        {
            // A dead process does not clean up; this only releases handles (its file operations all fail now).
            try
            {
                writer?.Dispose();
            }
            catch (Exception ex) when (ex is PowerLossException or IOException or InvalidOperationException)
            {
            }

            try
            {
                store?.Dispose();
            }
            catch (Exception ex) when (ex is PowerLossException or IOException or InvalidOperationException)
            {
            }
        }

        return fs;
    }

    /// <summary>Reopens the image with the real file system; null when it holds an acknowledged, consistent generation.</summary>
    private static string? CheckImage(string image, long acknowledged)
    {
        if (!Directory.Exists(image) || !IndexStore.Exists(image))
        {
            return acknowledged == 0 ? null : "the store folder did not survive";
        }

        try
        {
            using var store = Open(image);
            using (var writer = Writer(store))
            {
                // Opening the writer recovers; it must find an acknowledged generation or the one in flight.
                if (writer.Generation < acknowledged || writer.Generation > acknowledged + 1)
                {
                    return $"reopened at generation {writer.Generation}";
                }
            }

            using var snapshot = store.AcquireSnapshot();
            var v = snapshot.Verify();
            if (!v.IsConsistent(expectVectors: true))
            {
                return "inconsistent: " + v;
            }

            var documents = snapshot.Documents.ToDictionary(d => d.Id, d => d.ChunkCount);
            var expected = Expected[snapshot.Generation];
            if (documents.Count != expected.Count || expected.Any(e => documents.GetValueOrDefault(e.Key) != e.Value))
            {
                return $"generation {snapshot.Generation} holds {string.Join(",", documents.Select(d => $"{d.Key}:{d.Value}"))}";
            }

            return null;
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            return $"{ex.GetType().Name}: {ex.Message}";
        }
    }
}
