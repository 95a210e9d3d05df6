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
        var (rc, outText, errText) = await CliTests.RunAsync("eval", "retrieval", "--dataset", temp.Path, "--retriever", "bm25", "--report", report);

        Assert.True(rc == 0, errText);
        var lines = outText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["nDCG@10: 1.0000", "Recall@100: 1.0000", "MRR@10: 1.0000"], lines);
        Assert.True(File.Exists(report));
    }

    [Fact]
    public async Task Rejects_bad_arguments_with_one_line_and_exit_2()
    {
        foreach (var args in new[] { new[] { "--retriever", "magic", "--dataset", "." }, [], ["--dataset", "/nonexistent/beir"] })
        {
            var (rc, stdout, stderr) = await CliTests.RunAsync(["eval", "retrieval", .. args]);
            Assert.Equal(2, rc);
            Assert.Equal(string.Empty, stdout);
            Assert.StartsWith("rag: error: ", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        }
    }
}
