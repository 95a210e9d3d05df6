namespace Rag.Host.Tests;

public class EvalCliTests
{
    [Fact]
    public async Task Eval_faithfulness_prints_roc_auc_and_writes_json_markdown_and_png()
    {
        string dir = Path.Combine(Path.GetTempPath(), "rag-eval-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, stdout, stderr) = await CliTests.RunAsync("eval", "faithfulness", "--limit", "60", "--embedder", "none", "--out", dir);
            Assert.True(code == 0, stderr);
            Assert.Contains("ROC-AUC support:", stdout, StringComparison.Ordinal);
            Assert.Contains("ROC-AUC token F1:", stdout, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(dir, "faithfulness.json")));
            Assert.Contains("ROC curves on BEGIN", await File.ReadAllTextAsync(Path.Combine(dir, "faithfulness.md")), StringComparison.Ordinal);
            var png = await File.ReadAllBytesAsync(Path.Combine(dir, "faithfulness-roc-curves-on-begin.png"));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            Assert.Contains("scoring", stderr, StringComparison.Ordinal); // progress goes to stderr, never stdout
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("--dataset", "/nonexistent/begin.tsv", "does not exist")]
    [InlineData("--embedder", "word2vec", "--embedder must be")]
    public async Task Eval_faithfulness_bad_input_is_one_error_line_exit_2(string option, string value, string message)
    {
        var (code, stdout, stderr) = await CliTests.RunAsync("eval", "faithfulness", option, value, "--out", Path.GetTempPath());
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.StartsWith("rag: error: ", stderr, StringComparison.Ordinal);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
