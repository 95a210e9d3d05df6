using System.Diagnostics;
using System.Globalization;
using System.Text;
using Rag.Core.Embeddings;
using Rag.Core.Storage;
using Rag.Host.Cli;

namespace Rag.Host.Tests.Cli;

/// <summary>
/// Issue 8's reproductions of data loss in ordinary use, run as the issue ran them: the real <c>rag</c> binary in its own
/// process (<c>dotnet rag.dll …</c>), two of them at once for the concurrent one. The store-level and SDK-level
/// reproductions (4: one index for ingestion and retrieval; 5: readers during commits and rollbacks) are
/// <c>RegistrationTests</c> and <c>SnapshotConcurrencyTests</c>.
/// </summary>
public sealed class StoreReproductionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Reproduction 1: a folder that is not an index is refused untouched, and a store never ingests its own files.</summary>
    [Fact]
    public async Task Ingesting_a_folder_into_itself_deletes_nothing_and_the_store_never_ingests_its_own_files()
    {
        // cp -r docs selfidx; echo keep > selfidx/notes.tmp; ./rag ingest selfidx --index selfidx
        _dir.File("selfidx/guide.md", "# Guide\n\nHow to restore a backup.");
        _dir.File("selfidx/faq.md", "# FAQ\n\nWhy is the repository locked?");
        string notes = _dir.File("selfidx/notes.tmp", "keep");
        var before = Listing(_dir.Combine("selfidx"));

        var refused = await Rag("ingest", "selfidx", "--index", "selfidx");
        Assert.Equal(2, refused.Code);
        Assert.Equal(string.Empty, refused.Out);
        Assert.Single(refused.Err.Split('\n'), l => l.StartsWith("rag: error: ", StringComparison.Ordinal));
        Assert.Contains("is not empty and is not a Rag index", refused.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", refused.Err, StringComparison.Ordinal);
        Assert.Equal("keep", File.ReadAllText(notes));
        Assert.Equal(before, Listing(_dir.Combine("selfidx")));

        // The index inside the ingested folder: its files are never ingested, and a user's file in it is never deleted.
        var first = await Rag("ingest", "selfidx", "--index", "selfidx/idx");
        Assert.Equal(0, first.Code);
        Assert.Contains("summary: 2 indexed, 0 unchanged, 0 failed", first.Out, StringComparison.Ordinal);
        string inIndex = _dir.File("selfidx/idx/notes.tmp", "keep too");
        var second = await Rag("ingest", "selfidx", "--index", "selfidx/idx");
        Assert.Equal(0, second.Code);
        Assert.Contains("summary: 0 indexed, 2 unchanged, 0 failed, 0 deleted", second.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("manifest.json", second.Out, StringComparison.Ordinal);
        Assert.Equal("keep too", File.ReadAllText(inIndex));
        Assert.Equal("keep", File.ReadAllText(notes));
    }

    /// <summary>Reproduction 2: no two sources share an id; the same file through another argument keeps its id.</summary>
    [Fact]
    public async Task Same_named_files_json_records_and_a_file_reached_twice_get_distinct_stable_ids()
    {
        _dir.File("d2a/notes.md", "# A\n\nThe aardvark digs burrows.");
        _dir.File("d2b/notes.md", "# B\n\nThe bonobo shares food.");
        var both = await Rag("ingest", "d2a", "d2b", "--index", "idx");
        Assert.Equal(0, both.Code);
        Assert.Contains("indexed\td2a/notes.md\t", both.Out, StringComparison.Ordinal);
        Assert.Contains("indexed\td2b/notes.md\t", both.Out, StringComparison.Ordinal);
        Assert.Contains("summary: 2 indexed", both.Out, StringComparison.Ordinal);
        Assert.Contains(": 2 documents", both.Out, StringComparison.Ordinal);

        // JSON records with the same id in two files are two documents, and their titles keep the file name.
        _dir.File("j1/records.jsonl", "{\"id\": \"7\", \"title\": \"Capybara\", \"text\": \"The capybara swims well.\"}\n");
        _dir.File("j2/records.jsonl", "{\"id\": \"7\", \"title\": \"Dugong\", \"text\": \"The dugong grazes seagrass.\"}\n");
        var json = await Rag("ingest", "j1", "j2", "--index", "jidx");
        Assert.Equal(0, json.Code);
        Assert.Contains("indexed\tj1/records.jsonl:7\t", json.Out, StringComparison.Ordinal);
        Assert.Contains("indexed\tj2/records.jsonl:7\t", json.Out, StringComparison.Ordinal);
        Assert.Contains(": 2 documents", json.Out, StringComparison.Ordinal);
        using (var store = IndexStore.Open(new IndexStoreOptions { Directory = _dir.Combine("jidx") }))
        using (var snapshot = store.AcquireSnapshot())
        {
            Assert.Equal("records.jsonl: Dugong", snapshot.Keyword.Search("dugong seagrass", 1)[0].Chunk.Title);
        }

        // A folder, then a file inside it by its own path: the same document, not a duplicate.
        _dir.File("docs/sub/deep.md", "# Deep\n\nThe echidna lays eggs.");
        _dir.File("docs/top.md", "# Top\n\nThe fossa climbs trees.");
        Assert.Equal(0, (await Rag("ingest", "docs", "--index", "didx")).Code);
        var byPath = await Rag("ingest", Path.Combine("docs", "sub", "deep.md"), "--index", "didx");
        Assert.Equal(0, byPath.Code);
        Assert.Contains("unchanged\tsub/deep.md", byPath.Out, StringComparison.Ordinal);
        Assert.Contains("summary: 0 indexed, 1 unchanged, 0 failed, 0 deleted", byPath.Out, StringComparison.Ordinal);
        Assert.Contains(": 2 documents", byPath.Out, StringComparison.Ordinal);
    }

    /// <summary>Reproduction 3: two concurrent ingests into one index: nothing either reported as indexed is lost.</summary>
    [Fact]
    public async Task Two_concurrent_ingest_processes_into_one_index_lose_nothing()
    {
        for (int i = 0; i < 60; i++)
        {
            string n = i.ToString("D2", CultureInfo.InvariantCulture);
            _dir.File($"in/a/a{n}.md", $"# A {n}\n\nThe first run's note number {n} about apples.");
            _dir.File($"in/b/b{n}.md", $"# B {n}\n\nThe second run's note number {n} about bananas.");
        }

        // Both start at once; small commits keep each run's writer busy for a while.
        var runA = Rag("ingest", "in/a", "--root", "in", "--index", "idx", "--commit-every", "5");
        var runB = Rag("ingest", "in/b", "--root", "in", "--index", "idx", "--commit-every", "5");
        var runs = await Task.WhenAll(runA, runB);

        var reported = new List<string>();
        var generations = new List<long>();
        foreach (var run in runs)
        {
            if (run.Code == 0)
            {
                reported.AddRange(run.Out.Split('\n').Where(l => l.StartsWith("indexed\t", StringComparison.Ordinal)).Select(l => l.Split('\t')[1]));
                generations.Add(long.Parse(run.Out.Split("generation ")[1].Split(':')[0], CultureInfo.InvariantCulture));
            }
            else
            {
                // The only acceptable failure is the bounded wait for the other writer's lock, naming it.
                Assert.Equal(1, run.Code);
                Assert.Contains("is locked by process", run.Err, StringComparison.Ordinal);
            }
        }

        Assert.NotEmpty(generations);
        Assert.Equal(generations.Count, generations.Distinct().Count()); // never two runs committing the same generation
        using var store = IndexStore.Open(new IndexStoreOptions { Directory = _dir.Combine("idx") });
        using var snapshot = store.AcquireSnapshot();
        var indexed = snapshot.Documents.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        Assert.All(reported, id => Assert.Contains(id, indexed));
        Assert.True(snapshot.Verify().IsConsistent(expectVectors: true), snapshot.Verify().ToString());
        Assert.Equal(runs.Count(r => r.Code == 0) * 60, indexed.Count);
    }

    /// <summary>Reproduction 3, the bounded wait: a second writer process fails naming the holder, then succeeds once it is gone.</summary>
    [Fact]
    public async Task A_second_writer_process_waits_for_the_lock_then_fails_naming_the_holder()
    {
        _dir.File("docs/a.md", "# A\n\nText.");
        var psi = DotnetStart(Path.Combine(AppContext.BaseDirectory, "Rag.Testing.dll"), "hold-lock", "--index", _dir.Combine("idx"));
        psi.RedirectStandardInput = true;
        using var holder = Process.Start(psi)!;
        try
        {
            string? line = await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal($"holding {holder.Id}", line);

            var start = Stopwatch.StartNew();
            var locked = await Rag("ingest", "docs", "--index", "idx", "--lock-timeout", "1");
            Assert.Equal(1, locked.Code);
            Assert.Contains($"is locked by process {holder.Id}", locked.Err, StringComparison.Ordinal);
            Assert.Contains("--index", locked.Err, StringComparison.Ordinal); // how to fix it
            Assert.True(start.Elapsed >= TimeSpan.FromSeconds(1), "it waited for the lock first");
            Assert.DoesNotContain("summary:", locked.Out, StringComparison.Ordinal);
        }
        finally
        {
            holder.StandardInput.Close();
            await holder.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }

        var after = await Rag("ingest", "docs", "--index", "idx", "--lock-timeout", "1");
        Assert.Equal(0, after.Code);
        Assert.Contains("summary: 1 indexed", after.Out, StringComparison.Ordinal);
    }

    /// <summary>Reproduction 6 and acceptance 4: an index built with another embedder is a clear error; --reindex fixes it.</summary>
    [Fact]
    public async Task Asking_an_index_built_with_another_embedder_is_a_clear_error_and_reindex_fixes_it()
    {
        _dir.File("docs/backup.md", "# Backups\n\nA backup runs every night and keeps thirty days of history.");
        _dir.File("docs/restore.md", "# Restore\n\nRestore a backup with the restore command.");

        // Built from code with another embedder of the same dimension (only its bigram weight differs).
        using (var other = new HashingEmbeddingGenerator(new HashingEmbeddingGenerator().Dimension, bigramWeight: 0))
        using (var output = new StringWriter())
        {
            int code = await new IngestCommand(embedder: other).RunAsync([_dir.Combine("docs"), "--index", _dir.Combine("idx")], output, TextWriter.Null);
            Assert.Equal(0, code);
        }

        var ask = await Rag("ask", "how long are backups kept", "--index", "idx", "--threads", "1", "--max-tokens", "8");
        Assert.Equal(2, ask.Code);
        Assert.Single(ask.Err.Split('\n'), l => l.StartsWith("rag: error: ", StringComparison.Ordinal));
        Assert.Contains("was built with embedder", ask.Err, StringComparison.Ordinal);
        Assert.Contains("bigram=0,", ask.Err, StringComparison.Ordinal);
        Assert.Contains("--reindex", ask.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", ask.Err, StringComparison.Ordinal);

        var ingest = await Rag("ingest", "docs", "--index", "idx");
        Assert.Equal(2, ingest.Code);
        Assert.Contains("--reindex", ingest.Err, StringComparison.Ordinal);

        var reindex = await Rag("ingest", "docs", "--index", "idx", "--reindex");
        Assert.Equal(0, reindex.Code);
        Assert.Contains("summary: 2 indexed", reindex.Out, StringComparison.Ordinal);

        var fixedAsk = await Rag("ask", "how long are backups kept", "--index", "idx", "--threads", "1", "--max-tokens", "8");
        Assert.True(fixedAsk.Code == 0, fixedAsk.Err);
        Assert.Contains("— backup.md", Sources(fixedAsk.Out), StringComparison.Ordinal);
    }

    /// <summary>Reproduction 7: after <c>rm specs.md; rag ingest docs</c>, <c>ask</c> no longer cites it (unless <c>--keep-missing</c>).</summary>
    [Fact]
    public async Task A_file_deleted_from_the_folder_is_removed_by_the_next_ingest_and_no_longer_cited()
    {
        string specs = _dir.File("docs/specs.md", "# Specs\n\nThe zorblax flux capacitor tolerance is seven millimetres.");
        _dir.File("docs/guide.md", "# Guide\n\nThe flux capacitor needs a monthly inspection.");
        Assert.Equal(0, (await Rag("ingest", "docs", "--index", "idx")).Code);
        Assert.Equal(0, (await Rag("ingest", "docs", "--index", "kept")).Code);
        const string Question = "what is the zorblax flux capacitor tolerance";
        var cited = await Rag("ask", Question, "--index", "idx", "--threads", "1", "--max-tokens", "8");
        Assert.True(cited.Code == 0, cited.Err);
        Assert.Contains("— specs.md", Sources(cited.Out), StringComparison.Ordinal);

        File.Delete(specs);
        var sync = await Rag("ingest", "docs", "--index", "idx");
        Assert.Equal(0, sync.Code);
        Assert.Contains("deleted\tspecs.md", sync.Out, StringComparison.Ordinal);
        Assert.Contains("summary: 0 indexed, 1 unchanged, 0 failed, 1 deleted (specs.md)", sync.Out, StringComparison.Ordinal);
        var after = await Rag("ask", Question, "--index", "idx", "--threads", "1", "--max-tokens", "8");
        Assert.True(after.Code == 0, after.Err);
        Assert.DoesNotContain("specs.md", Sources(after.Out), StringComparison.Ordinal);
        Assert.Contains("— guide.md", Sources(after.Out), StringComparison.Ordinal);

        var keep = await Rag("ingest", "docs", "--index", "kept", "--keep-missing");
        Assert.Equal(0, keep.Code);
        Assert.Contains("0 deleted; index", keep.Out, StringComparison.Ordinal);
        Assert.Contains(": 2 documents", keep.Out, StringComparison.Ordinal);

        var help = await Rag("ingest", "--help");
        Assert.Equal(0, help.Code);
        foreach (string documented in new[] { "--keep-missing", "--reindex", "--root DIR", "--lock-timeout", "relative to one root", "common base folder", "FILE-ID:RECORD-ID" })
        {
            Assert.Contains(documented, help.Out, StringComparison.Ordinal);
        }
    }

    private static string Sources(string askOutput)
    {
        int at = askOutput.IndexOf("Sources:", StringComparison.Ordinal);
        Assert.True(at >= 0, askOutput);
        return askOutput[at..];
    }

    private static List<string> Listing(string folder) =>
        Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    private static ProcessStartInfo DotnetStart(string dll, params string[] args)
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(host))
        {
            host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        }

        var psi = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    /// <summary>Runs <c>rag ARGS</c> (the built rag.dll) in the test folder, as a separate process.</summary>
    private async Task<(int Code, string Out, string Err)> Rag(params string[] args)
    {
        var psi = DotnetStart(Path.Combine(AppContext.BaseDirectory, "rag.dll"), args);
        psi.WorkingDirectory = _dir.Path;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (process.ExitCode, await stdout, await stderr);
    }
}
