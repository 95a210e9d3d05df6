using System.Diagnostics;

namespace Rag.Host.Tests.Cli;

/// <summary>Runs the real <c>rag</c> binary (the rag.dll copied beside the tests) as a child process.</summary>
internal static class RagProcess
{
    public static string SamplesData =>
        Rag.Core.Configuration.RagPaths.FindUpward(Path.Combine("samples", "data"), AppContext.BaseDirectory)
        ?? throw new DirectoryNotFoundException("samples/data not found above the test folder");

    public static async Task<(int Code, string Out, string Err)> RunAsync(
        string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rag.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // The child's configuration must come from the test alone.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("Rag__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("RAG_CHAT", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"rag {string.Join(' ', args)} did not finish in 3 minutes");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
