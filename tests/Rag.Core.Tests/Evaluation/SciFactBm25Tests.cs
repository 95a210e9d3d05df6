using System.Globalization;
using System.Text.Json;
using Rag.Core.Evaluation;

namespace Rag.Core.Tests.Evaluation;

public class SciFactBm25Tests
{
    // Runs the real CLI entry on BEIR SciFact (5,183 documents, 300 test queries): about 15 s on 2 cores.
    [Fact]
    public async Task Bm25_on_scifact_test_reaches_the_beir_paper_ndcg()
    {
        string dataset = Path.Combine(TestData.SharedDir(), "data", "scifact");
        string report = Path.Combine(TestData.TempDir(), "report.json");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int rc = await RetrievalEvaluationRunner.RunAsync(
            ["--dataset", dataset, "--retriever", "bm25", "--split", "test", "--report", report], stdout, stderr);
        Assert.True(rc == 0, stderr.ToString());

        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("nDCG@10: ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Recall@100: ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("MRR@10: ", lines[2], StringComparison.Ordinal);
        double ndcg = double.Parse(lines[0]["nDCG@10: ".Length..], CultureInfo.InvariantCulture);
        double recall = double.Parse(lines[1]["Recall@100: ".Length..], CultureInfo.InvariantCulture);
        Assert.True(ndcg >= 0.665, $"nDCG@10 {ndcg} is below the BEIR paper's 0.665");
        Assert.True(recall >= 0.90, $"Recall@100 {recall}");

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        Assert.Equal(ndcg, json.RootElement.GetProperty("metrics").GetProperty("nDCG@10").GetDouble(), 4);
        Assert.Equal(300, json.RootElement.GetProperty("per_query").EnumerateObject().Count());
    }

    [Fact]
    public async Task Cli_rejects_bad_arguments_with_usage()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(2, await RetrievalEvaluationRunner.RunAsync(["--retriever", "magic", "--dataset", "x"], stdout, stderr));
        Assert.Contains("bm25, dense or hybrid", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await RetrievalEvaluationRunner.RunAsync([], stdout, stderr));
        Assert.Equal(1, await RetrievalEvaluationRunner.RunAsync(["--dataset", "/nonexistent/beir"], stdout, stderr));
        Assert.Contains("corpus.jsonl", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout.ToString());
    }
}
