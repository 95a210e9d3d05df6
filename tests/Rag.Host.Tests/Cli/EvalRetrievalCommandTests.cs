using Rag.Host.Cli;

namespace Rag.Host.Tests.Cli;

public class EvalRetrievalCommandTests
{
    [Fact]
    public async Task Prints_the_three_metrics_and_writes_the_report()
    {
        using var temp = new TempDir();
        Directory.CreateDirectory(Path.Combine(temp.Path, "qrels"));
        await File.WriteAllTextAsync(Path.Combine(temp.Path, "corpus.jsonl"),
            "{\"_id\": \"d1\", \"title\": \"Cats\", \"text\": \"cats purr and sleep\"}\n{\"_id\": \"d2\", \"title\": \"Dogs\", \"text\": \"dogs bark at the mailman\"}\n");
        await File.WriteAllTextAsync(Path.Combine(temp.Path, "queries.jsonl"), "{\"_id\": \"q1\", \"text\": \"why do dogs bark\"}\n");
        await File.WriteAllTextAsync(Path.Combine(temp.Path, "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\nq1\td2\t1\n");
        string report = Path.Combine(temp.Path, "out", "report.json");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int rc = await EvalRetrievalCommand.RunAsync(["--dataset", temp.Path, "--retriever", "bm25", "--report", report], stdout, stderr);

        Assert.True(rc == 0, stderr.ToString());
        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["nDCG@10: 1.0000", "Recall@100: 1.0000", "MRR@10: 1.0000"], lines);
        Assert.True(File.Exists(report));
    }

    [Fact]
    public async Task Rejects_bad_arguments_with_usage()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(2, await EvalRetrievalCommand.RunAsync(["--retriever", "magic", "--dataset", "x"], stdout, stderr));
        Assert.Contains("bm25, dense or hybrid", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await EvalRetrievalCommand.RunAsync([], stdout, stderr));
        Assert.Equal(1, await EvalRetrievalCommand.RunAsync(["--dataset", "/nonexistent/beir"], stdout, stderr));
        Assert.Contains("corpus.jsonl", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout.ToString());
    }
}
