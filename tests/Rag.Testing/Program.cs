using System.Globalization;
using Rag.Testing.Ingest;

// The crash-safety harness's child process: ingests a corpus into one index store (and may SIGKILL itself after a
// named commit step). Usage: crash-child --corpus FILE --index DIR --commit-every N [--vectors faiss|managed]
//                                       [--kill-at-step vectors|documents|lucene|manifest|cleanup]
// The writer-lock holder of the CLI's two-process tests: opens the store's writer, prints "holding PID", and keeps the
// lock until its stdin closes. Usage: hold-lock --index DIR
if (args.Length == 0 || (args[0] != "crash-child" && args[0] != "hold-lock"))
{
    Console.Error.WriteLine("usage: Rag.Testing crash-child --corpus FILE --index DIR --commit-every N [--vectors faiss|managed] [--kill-at-step STEP]");
    Console.Error.WriteLine("       Rag.Testing hold-lock --index DIR");
    return 2;
}

string? Opt(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

if (args[0] == "hold-lock")
{
    using var held = Rag.Core.Storage.IndexStore.Open(new Rag.Core.Storage.IndexStoreOptions { Directory = Opt("--index") ?? throw new ArgumentException("hold-lock needs --index DIR") });
    using (held.OpenWriter(new Rag.Core.Storage.IndexWriterOptions()))
    {
        Console.Out.WriteLine($"holding {Environment.ProcessId}");
        Console.Out.Flush();
        await Console.In.ReadToEndAsync();
    }

    return 0;
}

string corpus = Opt("--corpus") ?? throw new ArgumentException("crash-child needs --corpus FILE");
string index = Opt("--index") ?? throw new ArgumentException("crash-child needs --index DIR");
IngestRunner.VectorKind = Opt("--vectors") ?? "faiss";
int commitEvery = Opt("--commit-every") is string v ? int.Parse(v, CultureInfo.InvariantCulture) : 100;
using var embedder = IngestRunner.CreateEmbedder();
var stats = await IngestRunner.RunAsync(corpus, index, commitEvery, embedder, killAtStep: Opt("--kill-at-step"));
Console.Error.WriteLine($"done: {stats.Indexed} indexed, {stats.Unchanged} unchanged, generation {stats.Generation}, {stats.Elapsed.TotalSeconds:F1} s");
return 0;
