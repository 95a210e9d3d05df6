using System.Globalization;
using Rag.Ingest.Bench;
using Rag.Testing;
using Rag.Testing.Ingest;

// Ingestion benchmarks and the crash-safety harness.
//   throughput [--corpus FILE] [--work DIR] [--commit-every N] [--vectors faiss|managed]
//   crash [--corpus FILE] [--queries FILE] [--work DIR] [--kills 20] [--commit-every 50] [--seed 1] [--min-delay-ms 0] [--max-delay-ms 1200] [--query-count 200] [--vectors faiss|managed]
// The harness (and its crash-child process) lives in tests/Rag.Testing, shared with the crash-safety test.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Rag.Ingest.Bench throughput|crash [options]");
    return 2;
}

string? Opt(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int Int(string name, int fallback) => Opt(name) is string v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

string? corpus = Opt("--corpus") ?? SharedFiles.Find(Path.Combine("data", "scifact", "corpus.jsonl"));
if (corpus is null)
{
    Console.Error.WriteLine("SciFact corpus not found: pass --corpus FILE or set RAG_SHARED_DIR.");
    return 2;
}

IngestRunner.VectorKind = Opt("--vectors") ?? "faiss";
string work = Opt("--work") ?? Path.Combine(Path.GetTempPath(), "rag-ingest-bench");
Directory.CreateDirectory(work);
switch (args[0])
{
    case "throughput":
        return await Throughput.RunAsync(corpus, work, Int("--commit-every", 500), Console.Out);
    case "crash":
        string? queries = Opt("--queries") ?? SharedFiles.Find(Path.Combine("data", "scifact", "queries.jsonl"));
        return await CrashHarness.RunAsync(
            new CrashHarness.Settings(corpus, queries, work, Int("--kills", 20), Int("--commit-every", 50), Int("--seed", 1), Int("--min-delay-ms", 0), Int("--max-delay-ms", 1200), Int("--query-count", 200)),
            Console.Out);
    default:
        Console.Error.WriteLine($"unknown mode '{args[0]}'");
        return 2;
}
