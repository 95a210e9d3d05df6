using System.Text.Json;
using Rag.Core.Evaluation;

namespace Rag.Core.Tests.Evaluation;

public class SciFactBm25Tests
{
    // BEIR SciFact (5,183 documents, 300 test queries) through the library API the CLI uses: about 15 s on 2 cores.
    [Fact]
    public async Task Bm25_on_scifact_test_reaches_the_beir_paper_ndcg()
    {
        var dataset = await BeirDataset.LoadAsync(SharedFiles.Data("scifact"), "test");
        var settings = new RetrievalEvaluationSettings();
        using var temp = new TempDir();
        string report = Path.Combine(temp.Path, "report.json");

        var result = await RetrievalEvaluationRunner.EvaluateAsync(dataset, settings);
        await RetrievalEvaluationRunner.WriteReportAsync(report, dataset, settings, result);

        Assert.True(result.Scores.NdcgAt10 >= 0.665, $"nDCG@10 {result.Scores.NdcgAt10} is below the BEIR paper's 0.665");
        Assert.True(result.Scores.RecallAt100 >= 0.90, $"Recall@100 {result.Scores.RecallAt100}");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        Assert.Equal(result.Scores.NdcgAt10, json.RootElement.GetProperty("metrics").GetProperty("nDCG@10").GetDouble(), 4);
        Assert.Equal(300, json.RootElement.GetProperty("per_query").EnumerateObject().Count());
    }
}
