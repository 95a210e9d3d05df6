using System.Diagnostics;
using Rag.ChatConsole;
using Rag.Core.Configuration;

namespace Rag.ChatConsole.Tests;

/// <summary>
/// The chat console as a user runs it: a real terminal (tmux), the real process, stories260K on llama.cpp, a real
/// index built through the console's own /ingest. tmux is a Debian package that <c>./rag setup</c> installs.
/// </summary>
public sealed class ChatConsoleTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);
    private readonly TempDir _dir = new();
    private readonly string _session = "rag-chat-test-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Under_tmux_a_typed_question_gets_an_answer_with_sources_and_quit_exits_0()
    {
        var exitFile = await StartWithSampleDataAsync("--Rag:Answer:MaxOutputTokens=48");
        var pane = await WaitForPaneAsync(p => p.Contains("ingested:", StringComparison.Ordinal));
        Assert.Contains("6 indexed", pane, StringComparison.Ordinal);

        await TypeAsync("How do I install Driftwood on Linux?");
        pane = await WaitForPaneAsync(p => p.Contains("Sources:", StringComparison.Ordinal) && p.TrimEnd().EndsWith('>'));

        // The answer sits between the question and "Sources:", and the sources name title, section and document.
        var afterQuestion = pane[(pane.LastIndexOf("How do I install Driftwood on Linux?", StringComparison.Ordinal) + 36)..];
        var answer = afterQuestion[..afterQuestion.IndexOf("Sources:", StringComparison.Ordinal)].Trim();
        Assert.False(string.IsNullOrWhiteSpace(answer), pane);
        Assert.Contains("[1] ", afterQuestion, StringComparison.Ordinal);
        Assert.Contains("Installing Driftwood > ", afterQuestion, StringComparison.Ordinal);
        Assert.Contains("(installation.md)", afterQuestion, StringComparison.Ordinal);

        await TypeAsync("/quit");
        Assert.Equal("0", await ExitCodeAsync(exitFile));
    }

    [Fact]
    public async Task Ctrl_C_stops_a_streaming_answer_not_the_console_and_Ctrl_D_exits_0()
    {
        // A long answer (up to 6000 tokens) so that it is still being written when the test looks at it.
        var exitFile = await StartWithSampleDataAsync("--Rag:Model:Chat:ContextSize=8192 --Rag:Answer:ContextTokens=8192 --Rag:Answer:MaxOutputTokens=6000");
        await WaitForPaneAsync(p => p.Contains("ingested:", StringComparison.Ordinal));

        const string question = "Tell me a long story about backups.";
        await TypeAsync(question);
        // Streamed: answer text is on screen while the answer is not finished (no sources listed yet).
        await WaitForPaneAsync(p => AnswerSoFar(p, question).Length > 20 && !AnswerSoFar(p, question).Contains("Sources:", StringComparison.Ordinal));
        await TmuxAsync("send-keys", "-t", _session, "C-c");
        await WaitForPaneAsync(p => p.Contains("(answer stopped)", StringComparison.Ordinal));

        // Still running: commands answer, and Ctrl-C at the prompt only prints a hint.
        await TypeAsync("/agent react");
        await WaitForPaneAsync(p => p.Contains("/agent react: not available.", StringComparison.Ordinal));
        await TmuxAsync("send-keys", "-t", _session, "C-c");
        await WaitForPaneAsync(p => p.Contains("(type /quit or press Ctrl-D to leave)", StringComparison.Ordinal));
        await TypeAsync("/help");
        await WaitForPaneAsync(p => p.Contains("/ingest PATH", StringComparison.Ordinal));
        Assert.False(File.Exists(exitFile));

        await TmuxAsync("send-keys", "-t", _session, "C-d");
        Assert.Equal("0", await ExitCodeAsync(exitFile));
    }

        [Fact]
    public async Task A_missing_index_folder_is_one_clear_error_and_exit_2()
    {
        var missing = _dir.Combine("no-such-index");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        psi.ArgumentList.Add(ConsoleDll);
        psi.ArgumentList.Add(missing);
        using var process = Process.Start(psi)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"chat: error: no index folder '{missing}' (", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing)); // nothing was created
    }

    /// <summary>Starts the console in tmux on a new index in an empty folder and types <c>/ingest samples/data</c>; returns the file its exit code goes to.</summary>
    private async Task<string> StartWithSampleDataAsync(string settings)
    {
        var index = Directory.CreateDirectory(_dir.Combine("index")).FullName;
        var data = RagPaths.FindUpward(Path.Combine("samples", "data")) ?? throw new InvalidOperationException("samples/data not found above the test folder");
        var exitFile = _dir.Combine("exit-code");
        var shell = $"dotnet '{ConsoleDll}' '{index}' --Rag:Model:Chat:ModelPath='{TestModels.Stories260K}' {settings}; echo $? > '{exitFile}'";
        await TmuxAsync("new-session", "-d", "-s", _session, "-x", "200", "-y", "80", shell);
        await WaitForPaneAsync(p => p.Contains("Ask a question", StringComparison.Ordinal));
        await TypeAsync($"/ingest {data}");
        return exitFile;
    }

    private static string AnswerSoFar(string pane, string question)
    {
        var at = pane.LastIndexOf(question, StringComparison.Ordinal);
        return at < 0 ? "" : pane[(at + question.Length)..].Trim();
    }

    private async Task TypeAsync(string line)
    {
        await TmuxAsync("send-keys", "-t", _session, "-l", line);
        await TmuxAsync("send-keys", "-t", _session, "Enter");
    }

    private static async Task<string> ExitCodeAsync(string exitFile)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!File.Exists(exitFile) || (await File.ReadAllTextAsync(exitFile)).Length == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the console did not exit");
            await Task.Delay(100);
        }

        return (await File.ReadAllTextAsync(exitFile)).Trim();
    }

    private async Task<string> WaitForPaneAsync(Func<string, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        string pane = "";
        while (DateTime.UtcNow < deadline)
        {
            pane = await TmuxAsync("capture-pane", "-p", "-J", "-S", "-200", "-t", _session);
            if (condition(pane))
            {
                return pane;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the chat console did not show what was expected within {Patience.TotalSeconds} s; the pane:\n{pane}");
    }

    private static async Task<string> TmuxAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("tmux is not installed: run ./rag setup (it installs the Debian package tmux) or apt-get install tmux", e);
        }

        using (process)
        {
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return process.ExitCode == 0 ? output : throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed: {error}");
        }
    }

    public void Dispose()
    {
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("tmux", ["kill-session", "-t", _session]) { RedirectStandardError = true });
            kill?.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }

        _dir.Dispose();
    }

    /// <summary>
    /// The console from its own build output: a copy in this test's folder runs with this project's runtime config
    /// (ASP.NET Core through Rag.Testing), whose framework assemblies the console's deps do not list.
    /// </summary>
    private static string ConsoleDll
    {
        get
        {
            var testDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var tfm = testDir.Name;
            var configuration = testDir.Parent!.Name;
            var root = testDir.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "samples", "Rag.ChatConsole", "bin", configuration, tfm, "Rag.ChatConsole.dll");
        }
    }
}
