using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Rag.Model;
using Rag.Model.Chat;
using Rag.Model.Serving;

namespace Rag.LLamaSharp.Tests;

/// <summary>
/// Rag over LLamaSharp, run in a child process (Rag.LLamaSharp.Probe): LLamaSharp and Rag.Model each ship a
/// libggml-base.so, so LLamaSharp never loads in this test host, which runs Rag.Model for the comparison.
/// </summary>
public class LLamaSharpBackendTests
{
    [Fact]
    public async Task Ingestion_retrieval_and_a_grounded_answer_run_over_LLamaSharp_and_greedy_output_equals_ours()
    {
        using var work = new TempDir();
        var (code, stdout, stderr) = await Probe("pipeline", work.Path, TestModels.Stories260K);
        Assert.True(code == 0, $"probe failed ({code}): {stderr}");
        using var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        var r = json.RootElement;

        Assert.Equal(3, r.GetProperty("ingested").GetInt32());
        Assert.Equal(64, r.GetProperty("vectorDimension").GetInt32()); // stories260K's n_embd, through LLamaEmbedder
        Assert.Contains("Lily found a big red ball", r.GetProperty("top")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("gguf:stories260K-llama-f32.gguf", r.GetProperty("tokenCounter").GetString());
        var answer = r.GetProperty("answer").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(answer));

        // Ours, on the same grounded prompt (system message with the numbered sources, then the question), greedy.
        using var model = LlamaModel.Load(TestModels.Stories260K);
        Assert.Equal(r.GetProperty("questionTokens").GetInt32(), model.Tokenize(r.GetProperty("user").GetString()!, addSpecial: false, parseSpecial: false).Length);
        await using var scheduler = new LlamaBatchScheduler(model, new LlamaSchedulerOptions { Threads = 1, ContextSize = 1024, MaxSequences = 1 });
        using var chat = new LlamaChatClient(scheduler);
        var ours = await chat.GetResponseAsync(
            [new ChatMessage(ChatRole.System, r.GetProperty("system").GetString()), new ChatMessage(ChatRole.User, r.GetProperty("user").GetString())],
            new ChatOptions { Temperature = 0, MaxOutputTokens = 24 });
        Assert.Equal(ours.Text.Trim(), answer);
    }

    [Theory]
    [InlineData("guard-model-first", "LLamaSharp cannot load: another llama.cpp build is already loaded in this process")]
    [InlineData("guard-llamasharp-first", "Another llama.cpp build is already loaded in this process")]
    public async Task Asking_for_both_native_stacks_in_one_process_fails_with_a_clear_error(string scenario, string expected)
    {
        var (code, stdout, stderr) = await Probe(scenario, TestModels.Stories260K);
        Assert.True(code == 3, $"expected the guard to refuse (exit 3), got {code}: {stdout} {stderr}");
        Assert.Contains("refused: " + expected, stdout, StringComparison.Ordinal);
        Assert.Contains("libggml-base.so", stdout, StringComparison.Ordinal);
        Assert.Contains("Fix: use one backend per process", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("loaded both", stdout, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Probe(params string[] args)
    {
        var probe = ProbePath();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(probe);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    // The probe is built next to this project: tests/Rag.LLamaSharp.Probe/bin/<Configuration>/<tfm>/.
    private static string ProbePath()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var tfm = here.Name;
        var configuration = here.Parent!.Name;
        var tests = here.Parent.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(tests, "Rag.LLamaSharp.Probe", "bin", configuration, tfm, "Rag.LLamaSharp.Probe.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("build tests/Rag.LLamaSharp.Probe first", path);
    }
}
