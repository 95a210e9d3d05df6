using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Rag.Core.Indexing;
using Rag.Ingest.Storage;

namespace Rag.Testing.Ingest;

/// <summary>
/// Crash-safety acceptance: a child process ingests the corpus into one store and is killed with SIGKILL at random
/// moments, then restarted, <c>kills</c> times; a last run finishes. The store must then agree with a clean,
/// uninterrupted ingestion: same documents, same chunk ids in BM25 and vectors, counts equal to the manifest, no
/// duplicates, and the same BM25 and vector results for a set of queries.
/// </summary>
public static class CrashHarness
{
    public sealed record Settings(string Corpus, string? Queries, string WorkDir, int Kills, int CommitEvery, int Seed, int MinDelayMs, int MaxDelayMs, int QueryCount);

    public static async Task<int> RunAsync(Settings s, TextWriter log)
    {
        string crashDir = Path.Combine(s.WorkDir, "crash");
        string cleanDir = Path.Combine(s.WorkDir, "clean");
        foreach (string d in new[] { crashDir, cleanDir })
        {
            if (Directory.Exists(d))
            {
                Directory.Delete(d, true);
            }
        }

        var rng = new Random(s.Seed);
        var total = Stopwatch.StartNew();
        var generations = new List<string>();
        int killed = 0, finishedEarly = 0;
        var phases = new SortedDictionary<string, int>(StringComparer.Ordinal);
        // Deterministic kills right after each step of the commit protocol (the child SIGKILLs itself there).
        foreach (string step in new[] { "vectors", "documents", "lucene", "manifest", "cleanup" })
        {
            using var child = StartChild(s, crashDir, step);
            child.WaitForExit();
            long g = ManifestGeneration(crashDir);
            string phase = KillPhase(crashDir, g);
            bool selfKilled = child.ExitCode == 137 || child.ExitCode == -1 || child.ExitCode == 9;
            log.WriteLine($"step kill after '{step}': exit {child.ExitCode}{(selfKilled ? " (SIGKILL)" : string.Empty)}; manifest generation {g}; state: {phase}");
            if (child.ExitCode == 0)
            {
                log.WriteLine("  (the corpus was already complete: no commit happened to kill)");
            }
            else
            {
                killed++;
                phases[phase] = phases.GetValueOrDefault(phase) + 1;
            }
        }

        // Random kills spread over the whole ingestion: the commits still to come are split into one slot per kill, each
        // run waits until the store reaches a random generation inside its slot (and has made at least one commit of its
        // own), then dies after a random delay of up to one commit interval, so the kill lands anywhere in a commit cycle.
        // Spreading by progress rather than by wall time keeps work left for every kill, on a fast machine too.
        long totalCommits = (CountLines(s.Corpus) + s.CommitEvery - 1) / s.CommitEvery;
        long startGeneration = ManifestGeneration(crashDir);
        double slot = Math.Max(1.0, (totalCommits - 2 - startGeneration) / (double)s.Kills);
        for (int k = 0; k < s.Kills; k++)
        {
            long target = startGeneration + (long)(slot * k) + 1 + rng.NextInt64(Math.Max(1, (long)slot));
            long before = ManifestGeneration(crashDir);
            var runTime = Stopwatch.StartNew();
            using var child = StartChild(s, crashDir);
            TimeSpan firstCommit = TimeSpan.Zero;
            long commitsSeen = 0, last = before;
            while (!child.HasExited && (last == before || last < target) && runTime.Elapsed < TimeSpan.FromMinutes(2))
            {
                Thread.Sleep(2);
                long g = ManifestGeneration(crashDir);
                if (g != last)
                {
                    if (commitsSeen++ == 0)
                    {
                        firstCommit = runTime.Elapsed;
                    }

                    last = g;
                }
            }

            double commitMs = commitsSeen > 1 ? (runTime.Elapsed - firstCommit).TotalMilliseconds / (commitsSeen - 1) : 50;
            int delay = rng.Next(s.MinDelayMs, Math.Max(s.MinDelayMs, (int)Math.Min(s.MaxDelayMs, commitMs)) + 1);
            bool exited = child.WaitForExit(delay);
            if (!exited)
            {
                child.Kill(entireProcessTree: false); // SIGKILL on Unix: no finally blocks, no flush
                child.WaitForExit();
                killed++;
            }
            else
            {
                finishedEarly++;
            }

            long gen = ManifestGeneration(crashDir);
            string phase = exited ? "exited" : KillPhase(crashDir, gen);
            phases[phase] = phases.GetValueOrDefault(phase) + 1;
            generations.Add(string.Create(CultureInfo.InvariantCulture, $"g{target}+{delay}ms→g{gen}"));
            log.WriteLine($"run {k + 1}/{s.Kills}: {(exited ? "finished before the kill" : "SIGKILL")} {delay} ms after reaching generation {target} ({runTime.ElapsedMilliseconds} ms in all); manifest generation {gen}; state: {phase}");
        }

        using (var last = StartChild(s, crashDir))
        {
            last.WaitForExit();
            if (last.ExitCode != 0)
            {
                log.WriteLine($"FAIL: the final run exited with {last.ExitCode}");
                return 1;
            }
        }

        var crashTime = total.Elapsed;
        log.WriteLine($"killed {killed} times ({finishedEarly} runs finished before their kill); crash-run total {crashTime.TotalSeconds:F1} s");
        log.WriteLine($"where the kills landed: {string.Join(", ", phases.Select(p => $"{p.Key}: {p.Value}"))}");

        using var embedder = IngestRunner.CreateEmbedder();
        var clean = await IngestRunner.RunAsync(s.Corpus, cleanDir, s.CommitEvery, embedder);
        log.WriteLine($"clean run: {clean.Indexed} documents, {clean.Chunks} chunks, generation {clean.Generation}, {clean.Elapsed.TotalSeconds:F1} s");

        using var crashed = IndexStore.Open(IngestRunner.StoreOptions(crashDir));
        using var reference = IndexStore.Open(IngestRunner.StoreOptions(cleanDir));
        log.WriteLine($"vector index: {crashed.Vectors!.GetType().Name}");
        var vc = crashed.Verify();
        var vr = reference.Verify();
        log.WriteLine($"crash store: {vc}");
        log.WriteLine($"clean store: {vr}");
        var failures = new List<string>();
        if (!vc.IsConsistent(expectVectors: true))
        {
            failures.Add("the crash store's indexes disagree with its manifest/document table");
        }

        if (!vr.IsConsistent(expectVectors: true))
        {
            failures.Add("the clean store is inconsistent");
        }

        var docsCrash = crashed.Documents.ToDictionary(d => d.Id);
        var docsClean = reference.Documents.ToDictionary(d => d.Id);
        if (docsCrash.Count != docsClean.Count || docsClean.Any(p => !docsCrash.TryGetValue(p.Key, out var c) || c.ContentHash != p.Value.ContentHash || c.ChunkCount != p.Value.ChunkCount))
        {
            failures.Add($"document tables differ ({docsCrash.Count} vs {docsClean.Count} documents)");
        }

        var idsCrash = crashed.Keyword.ChunkIds().Order(StringComparer.Ordinal).ToList();
        var idsClean = reference.Keyword.ChunkIds().Order(StringComparer.Ordinal).ToList();
        if (!idsCrash.SequenceEqual(idsClean))
        {
            failures.Add($"BM25 chunk ids differ ({idsCrash.Count} vs {idsClean.Count})");
        }

        if (crashed.Vectors!.Count != reference.Vectors!.Count || idsClean.Any(id => !crashed.Vectors.Contains(ChunkIds.ToVectorId(id))))
        {
            failures.Add($"vector ids differ ({crashed.Vectors.Count} vs {reference.Vectors.Count})");
        }

        var queries = LoadQueries(s.Queries, s.QueryCount);
        int bm25Diff = 0, vecDiff = 0;
        foreach (string q in queries)
        {
            var a = crashed.Keyword.Search(q, 10).Select(h => (h.Chunk.Id, h.Score)).ToList();
            var b = reference.Keyword.Search(q, 10).Select(h => (h.Chunk.Id, h.Score)).ToList();
            if (!SameRanking(a, b))
            {
                bm25Diff++;
            }

            float[] v = embedder.Embed(q);
            var va = crashed.Vectors.Search(v, 10).Select(h => (h.Id.ToString(CultureInfo.InvariantCulture), h.Score)).ToList();
            var vb = reference.Vectors.Search(v, 10).Select(h => (h.Id.ToString(CultureInfo.InvariantCulture), h.Score)).ToList();
            if (!SameRanking(va, vb))
            {
                vecDiff++;
            }
        }

        log.WriteLine($"queries: {queries.Count}; BM25 top-10 differing: {bm25Diff}; vector top-10 differing: {vecDiff}");
        if (bm25Diff > 0 || vecDiff > 0)
        {
            failures.Add("search results differ");
        }

        log.WriteLine($"manifest generation progress at each kill: {string.Join(", ", generations)}");
        log.WriteLine(failures.Count == 0
            ? $"PASS ({crashed.Vectors.GetType().Name}): {killed} SIGKILLs ({s.Kills} at random times, the rest right after each commit step); {vc.Documents} documents, {vc.TableChunks} chunks in BM25 = vectors = manifest, no duplicates, identical results"
            : "FAIL: " + string.Join("; ", failures));
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// Equal rankings: the same scores in order (to 1e-5), and the same ids except among ties at the cut-off score,
    /// where Lucene's order depends on segment layout.
    /// </summary>
    private static bool SameRanking(List<(string Id, float Score)> a, List<(string Id, float Score)> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (int i = 0; i < a.Count; i++)
        {
            if (Math.Abs(a[i].Score - b[i].Score) > 1e-5f)
            {
                return false;
            }
        }

        if (a.Count == 0)
        {
            return true;
        }

        float cut = a[^1].Score;
        var above = a.Where(x => x.Score > cut + 1e-5f).Select(x => x.Id).Order(StringComparer.Ordinal);
        var aboveB = b.Where(x => x.Score > cut + 1e-5f).Select(x => x.Id).Order(StringComparer.Ordinal);
        return above.SequenceEqual(aboveB);
    }

    private static List<string> LoadQueries(string? path, int count)
    {
        var queries = new List<string>();
        if (path is not null && File.Exists(path))
        {
            foreach (string line in File.ReadLines(path))
            {
                using var doc = JsonDocument.Parse(line);
                queries.Add(doc.RootElement.GetProperty("text").GetString()!);
                if (queries.Count == count)
                {
                    break;
                }
            }
        }

        return queries;
    }

    /// <summary>Classifies the on-disk state a kill left, before recovery runs.</summary>
    private static string KillPhase(string dir, long manifestGeneration)
    {
        if (!Directory.Exists(dir))
        {
            return "before the store was created";
        }

        long luceneGeneration = 0;
        string lucene = Path.Combine(dir, "lucene");
        if (Directory.Exists(lucene))
        {
            using var fs = Lucene.Net.Store.FSDirectory.Open(lucene);
            if (Lucene.Net.Index.DirectoryReader.IndexExists(fs))
            {
                var last = Lucene.Net.Index.DirectoryReader.ListCommits(fs)[^1];
                luceneGeneration = last.UserData.TryGetValue(IndexStore.GenerationKey, out string? v) ? long.Parse(v, CultureInfo.InvariantCulture) : 0;
            }
        }

        if (luceneGeneration > manifestGeneration)
        {
            return "after the Lucene commit, before the manifest (roll forward)";
        }

        string next = (manifestGeneration + 1).ToString(CultureInfo.InvariantCulture);
        bool temp = Directory.EnumerateFiles(dir, "*.tmp").Any();
        bool nextFiles = File.Exists(Path.Combine(dir, $"vectors.{next}.bin")) || File.Exists(Path.Combine(dir, $"documents.{next}.json"));
        if (temp || nextFiles)
        {
            return "inside a commit, before the Lucene commit (roll back)";
        }

        bool stale = Directory.EnumerateFiles(dir, "vectors.*.bin").Count() > 1;
        return stale ? "after the manifest, before old files were deleted" : "between commits (uncommitted batch lost)";
    }

    private static long CountLines(string path) => File.ReadLines(path).LongCount(l => l.Length > 0);

    private static long ManifestGeneration(string dir)
    {
        string path = Path.Combine(dir, "manifest.json");
        if (!File.Exists(path))
        {
            return 0;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("generation").GetInt64();
    }

    private static Process StartChild(Settings s, string indexDir, string? killAtStep = null)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = false,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Always "dotnet Rag.Testing.dll crash-child": works from the bench, from a test host and from Rag.Testing itself.
        string self = typeof(CrashHarness).Assembly.Location;
        string? hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(hostPath))
        {
            hostPath = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        }

        psi.FileName = hostPath;
        psi.ArgumentList.Add(self);

        foreach (string a in new[] { "crash-child", "--corpus", s.Corpus, "--index", indexDir, "--commit-every", s.CommitEvery.ToString(CultureInfo.InvariantCulture), "--vectors", IngestRunner.VectorKind })
        {
            psi.ArgumentList.Add(a);
        }

        if (killAtStep is not null)
        {
            psi.ArgumentList.Add("--kill-at-step");
            psi.ArgumentList.Add(killAtStep);
        }

        var p = Process.Start(psi)!;
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"  child: {e.Data}");
            }
        };
        p.BeginErrorReadLine();
        return p;
    }
}
