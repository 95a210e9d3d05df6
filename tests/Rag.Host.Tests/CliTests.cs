using Rag.Host.Cli;

namespace Rag.Host.Tests;

public class CliTests
{
    internal static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RagCli.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Help_lists_the_demo_command()
    {
        var (code, output, _) = await RunAsync("--help");
        Assert.Equal(0, code);
        Assert.Contains("demo", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_command_fails_with_a_message()
    {
        var (code, _, err) = await RunAsync("no-such-command");
        Assert.NotEqual(0, code);
        Assert.Contains("no-such-command", err, StringComparison.Ordinal);
    }
}
