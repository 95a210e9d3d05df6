using Rag.Testing.Ingest;

namespace Rag.Ingest.Tests.Pipeline;

/// <summary>The crash-safety acceptance run (about 2–4 minutes on 2 cores): 20 SIGKILLs while ingesting SciFact.</summary>
public class CrashSafetyTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Twenty_sigkills_during_scifact_ingestion_recover_to_the_clean_result()
    {
        string? corpus = SharedFiles.Find(Path.Combine("data", "scifact", "corpus.jsonl"));
        Assert.True(corpus is not null, "SciFact corpus not found: expected <repo>/../shared/data/scifact/corpus.jsonl or RAG_SHARED_DIR");
        string? queries = SharedFiles.Find(Path.Combine("data", "scifact", "queries.jsonl"));
        using var dir = new TempDir();
        using var log = new StringWriter();

        int code = await CrashHarness.RunAsync(
            new CrashHarness.Settings(corpus, queries, dir.Path, Kills: 20, CommitEvery: 50, Seed: 7, MinDelayMs: 0, MaxDelayMs: 1200, QueryCount: 100),
            log);

        string report = log.ToString();
        Assert.True(code == 0, report);
        Assert.Contains("PASS (FaissVectorIndex): 25 SIGKILLs", report, StringComparison.Ordinal);
        Assert.Contains("BM25 top-10 differing: 0; vector top-10 differing: 0", report, StringComparison.Ordinal);
    }
}
