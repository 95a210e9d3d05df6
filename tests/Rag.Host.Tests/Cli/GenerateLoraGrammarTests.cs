using System.Text.RegularExpressions;

namespace Rag.Host.Tests.Cli;

/// <summary><c>rag generate --grammar G --lora A.gguf</c> goes through one generation path that honours both.</summary>
public sealed class GenerateLoraGrammarTests : IDisposable
{
    private const string Grammar = "root ::= [a-z ]+";

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task<string> GenerateAsync(params string[] extra)
    {
        var (code, output, err) = await CliTests.RunAsync(
            ["generate", "--model", TestModels.Stories260K, "--prompt", "Once upon a time", "--temperature", "0", "--max-tokens", "16", .. extra]);
        Assert.True(code == 0, err);
        return output.TrimEnd('\n');
    }

    [Fact]
    public async Task Grammar_and_lora_are_both_honoured()
    {
        var adapter = _dir.Combine("a.gguf");
        var (code, _, err) = await CliTests.RunAsync("models", "lora", "--base", TestModels.Stories260K, "--out", adapter, "--rank", "4", "--std", "0.5");
        Assert.True(code == 0, err);

        var grammarOnly = await GenerateAsync("--grammar", Grammar);
        var loraOnly = await GenerateAsync("--lora", adapter);
        var both = await GenerateAsync("--grammar", Grammar, "--lora", adapter);

        // The grammar holds with the adapter active...
        Assert.Matches(new Regex("^[a-z ]+$"), both);
        Assert.DoesNotMatch(new Regex("^[a-z ]+$"), loraOnly);
        // ...and the adapter changes what the grammar-constrained model says.
        Assert.NotEqual(grammarOnly, both);
        Assert.Matches(new Regex("^[a-z ]+$"), grammarOnly);

        // A zero scale switches the adapter off: the output equals the grammar-only one, so the difference is the adapter's.
        Assert.Equal(grammarOnly, await GenerateAsync("--grammar", Grammar, "--lora", adapter, "--lora-scale", "0"));
    }
}
