namespace Rag.Host.Tests.Cli;

/// <summary><c>rag lora train|merge</c> end to end on stories260K, and the one-line errors for bad data.</summary>
public class LoraCommandTests
{
    [Fact]
    public async Task Bad_data_line_is_one_error_line_with_its_number_and_exit_2()
    {
        using var dir = new TempDir();
        var data = dir.File("d.jsonl", "{\"prompt\": \"a\", \"completion\": \" b\"}\n{\"prompt\": \"a\", \"completion\": \"\"}\n");
        var (code, output, err) = await CliTests.RunAsync("lora", "train", "--model", TestModels.Stories260K, "--data", data, "--out", Path.Combine(dir.Path, "a.gguf"));
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("rag: error: ", err, StringComparison.Ordinal);
        Assert.Contains("d.jsonl:2: the completion is empty", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_then_generate_with_the_adapter_then_merge()
    {
        using var dir = new TempDir();
        var lines = from n in new[] { "Tom", "Sam", "Mia", "Ben" }
                    from p in new[] { "park", "farm", "hill", "shop" }
                    select $"{{\"prompt\": \"{n} went to the {p}. Then {n} saw a\", \"completion\": \" purple frog that could sing.\"}}";
        var data = dir.File("d.jsonl", string.Join('\n', lines));
        var adapter = Path.Combine(dir.Path, "a.gguf");
        var (code, output, err) = await CliTests.RunAsync("lora", "train", "--model", TestModels.Stories260K, "--data", data, "--out", adapter,
            "--epochs", "2", "--rank", "2", "--eval-split", "0.25", "--threads", "1");
        Assert.True(code == 0, err);
        Assert.Contains("epoch 2: train loss", output, StringComparison.Ordinal);
        Assert.Contains("eval loss", output, StringComparison.Ordinal);
        Assert.True(File.Exists(adapter));

        (code, output, err) = await CliTests.RunAsync("generate", "--model", TestModels.Stories260K, "--prompt", "Once upon a time", "--lora", adapter,
            "--max-tokens", "4", "--temperature", "0", "--threads", "1");
        Assert.True(code == 0, err);
        Assert.NotEmpty(output.Trim());

        var merged = Path.Combine(dir.Path, "m.gguf");
        (code, output, err) = await CliTests.RunAsync("lora", "merge", "--model", TestModels.Stories260K, "--lora", adapter, "--out", merged);
        Assert.True(code == 0, err);
        Assert.Contains("merged 35 weights", output, StringComparison.Ordinal);
        Assert.True(File.Exists(merged));
    }
}
