using System.Text.Json;
using Rag.Host.Cli;

namespace Rag.Host.Tests.Cli;

public class ModelCommandsTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        return await CliTests.RunAsync(args);
    }

    [Fact]
    public async Task Generate_prints_only_the_continuation()
    {
        var (code, stdout, _) = await Run("generate", "--model", TestModels.Stories260K, "--prompt", "Once upon a time", "--max-tokens", "12", "--temperature", "0", "--threads", "1");
        Assert.Equal(0, code);
        Assert.StartsWith(", there was a little girl", stdout);
        Assert.DoesNotContain("Once upon", stdout);
    }

    [Fact]
    public async Task Tokenize_prints_a_json_array_with_bos()
    {
        var (code, stdout, _) = await Run("tokenize", "--model", TestModels.Llama2TinyRandom, "--text", "Hello world");
        Assert.Equal(0, code);
        var ids = JsonSerializer.Deserialize<int[]>(stdout)!;
        Assert.Equal(new[] { 1, 15043, 3186 }, ids);
    }

    [Fact]
    public async Task Perplexity_ends_with_the_perplexity_line()
    {
        var (code, stdout, _) = await Run("perplexity", "--model", TestModels.Stories260K, "--file", TestModels.TestData("tiny-story.txt"), "--ctx", "128", "--threads", "1");
        Assert.Equal(0, code);
        var last = stdout.TrimEnd().Split('\n')[^1];
        Assert.StartsWith("perplexity: 3.8", last);
    }

    [Fact]
    public async Task Models_info_json_has_metadata()
    {
        var (code, stdout, _) = await Run("models", "info", "--model", TestModels.Stories260K, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("llama", doc.RootElement.GetProperty("Architecture").GetString());
        Assert.Equal(512, doc.RootElement.GetProperty("VocabSize").GetInt32());
    }

    [Fact]
    public async Task Errors_go_to_stderr_with_a_nonzero_code()
    {
        var (code, stdout, stderr) = await Run("generate", "--model", "/no/such/model.gguf", "--prompt", "x");
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("not found", stderr);
        var (usage, _, _) = await Run("frobnicate");
        Assert.Equal(2, usage);
    }
}
