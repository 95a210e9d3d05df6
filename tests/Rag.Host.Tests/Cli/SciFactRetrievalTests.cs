using System.Globalization;
using Rag.Host.Cli;

namespace Rag.Host.Tests.Cli;

/// <summary>
/// Acceptance 2 of issue 10: SciFact test through <c>rag eval retrieval</c> with the default embedder (all-MiniLM-L6-v2
/// through ONNX Runtime). Embeds 5,183 abstracts once for both retrievers: minutes on one thread, hence Slow.
/// Figures: docs/BENCHMARKS.md, "Sentence embeddings".
/// </summary>
public class SciFactRetrievalTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Default_embedder_reaches_the_published_dense_and_hybrid_scores_on_scifact()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int rc = await EvalRetrievalCommand.RunAsync(
            ["--dataset", SharedFiles.Data("scifact"), "--retriever", "dense,hybrid", "--threads", "1"], stdout, stderr);

        Assert.True(rc == 0, stderr.ToString());
        Assert.Contains("embedder: all-MiniLM-L6-v2", stderr.ToString(), StringComparison.Ordinal);
        var metrics = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(": "))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
        Assert.True(metrics["dense nDCG@10"] >= 0.64, $"dense nDCG@10 {metrics["dense nDCG@10"]:F4} (MTEB: 0.645)");
        Assert.True(metrics["hybrid nDCG@10"] >= 0.715, $"hybrid nDCG@10 {metrics["hybrid nDCG@10"]:F4}");
        Assert.True(metrics["hybrid Recall@100"] >= 0.95, $"hybrid Recall@100 {metrics["hybrid Recall@100"]:F4}");
    }
}
