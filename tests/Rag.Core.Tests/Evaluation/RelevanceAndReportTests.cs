using Rag.Core.Embeddings;
using Rag.Core.Evaluation.Faithfulness;
using Rag.Core.Evaluation.Relevance;
using Rag.Core.Evaluation.Reports;

namespace Rag.Core.Tests.Evaluation;

public class RelevanceAndReportTests
{
    [Fact]
    public void Context_precision_is_mean_precision_at_relevant_ranks()
    {
        Assert.Equal((1.0 + (2.0 / 3)) / 2, ContextMetrics.Precision([true, false, true]), 12);
        Assert.Equal((0.5 + (2.0 / 3)) / 2, ContextMetrics.Precision([false, true, true]), 12);
        Assert.Equal(0, ContextMetrics.Precision([false, false]));
        Assert.True(ContextMetrics.ContainsAnswer("It opened in 1889, in Paris.", ["the 1889"]));
        Assert.False(ContextMetrics.ContainsAnswer("It opened in 18890.", ["1889"]));
        Assert.Equal(0.5, ContextMetrics.PrecisionByAnswer(["nothing here", "Denver Broncos won"], ["Denver Broncos"]), 12);
    }

    [Fact]
    public async Task Context_recall_is_the_share_of_reference_sentences_the_contexts_support()
    {
        var support = new SupportFaithfulnessEvaluator(new SupportFaithfulnessOptions { SemanticWeight = 0 });
        double recall = await ContextMetrics.RecallAsync(
            "The tower was finished in 1889. It was painted green by Monet.", ["The Eiffel Tower was finished in 1889."], support);
        Assert.Equal(0.5, recall, 12);
    }

    [Fact]
    public async Task Direct_answer_relevance_prefers_the_on_topic_answer()
    {
        using var hashing = new HashingEmbeddingGenerator();
        var relevance = new AnswerRelevanceEvaluator(hashing);
        var onTopic = await relevance.EvaluateAsync("When was the Eiffel Tower completed?", "The Eiffel Tower was completed in 1889.");
        var offTopic = await relevance.EvaluateAsync("When was the Eiffel Tower completed?", "Bananas are rich in potassium.");
        Assert.True(onTopic.Score > offTopic.Score + 0.3, $"{onTopic.Score} vs {offTopic.Score}");
        Assert.Equal(0, (await relevance.EvaluateAsync("Why?", "")).Score);
        Assert.Throws<ArgumentException>(() => new AnswerRelevanceEvaluator(hashing, new AnswerRelevanceOptions { Mode = AnswerRelevanceMode.GeneratedQuestions }));
    }

    [Fact]
    public async Task Report_writer_writes_json_and_markdown_with_chart_data_when_no_renderer_is_configured()
    {
        string dir = Path.Combine(Path.GetTempPath(), "rag-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            var report = new EvaluationReport("Top-k demo", "Demo", [new ReportMetric("nDCG@10", 0.65432, "BM25")], new Dictionary<string, string> { ["k1"] = "0.9" })
            {
                Charts = [new ReportChart("nDCG against k", "k", "nDCG", [new ReportSeries("bm25", [1, 10], [0.5, 0.65432])])],
                Items = [new Dictionary<string, object?> { ["id"] = "q1", ["ndcg"] = 0.5 }],
            };
            var files = await new EvaluationReportWriter().WriteAsync(report, dir);
            Assert.Equal(Path.Combine(dir, "top-k-demo.json"), files.Json);
            Assert.Empty(files.Charts);
            string md = await File.ReadAllTextAsync(files.Markdown);
            Assert.Contains("| nDCG@10 | 0.6543 | BM25 |", md, StringComparison.Ordinal);
            Assert.Contains("no chart renderer", md, StringComparison.Ordinal);
            Assert.Contains("| 10 | 0.6543 |", md, StringComparison.Ordinal);
            using var json = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(files.Json));
            Assert.Equal(0.65432, json.RootElement.GetProperty("metrics").GetProperty("nDCG@10").GetDouble());
            Assert.Equal("q1", json.RootElement.GetProperty("items")[0].GetProperty("id").GetString());
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
