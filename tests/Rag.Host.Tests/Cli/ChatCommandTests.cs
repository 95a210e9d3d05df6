namespace Rag.Host.Tests.Cli;

/// <summary><c>rag chat</c>'s argument errors: one line on stderr, exit 2, nothing created. (The console itself is tested under tmux in Rag.ChatConsole.Tests.)</summary>
public sealed class ChatCommandTests
{
    [Fact]
    public async Task A_missing_index_folder_is_a_one_line_error_with_exit_2_and_nothing_is_created()
    {
        using var dir = new TempDir();
        var missing = dir.Combine("no-such-index");
        var (code, output, err) = await CliTests.RunAsync("chat", missing);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"rag: error: no index folder '{missing}' (build one with: rag ingest PATH... --index {missing}", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task A_folder_that_is_not_an_index_is_refused()
    {
        using var dir = new TempDir();
        dir.File("notes.txt", "not an index");
        var (code, _, err) = await CliTests.RunAsync("chat", dir.Path);
        Assert.Equal(2, code);
        Assert.Contains("is not a Rag index and not empty", err, StringComparison.Ordinal);
    }
}
