using System.CommandLine;
using Rag.Agents.Pal;

namespace Rag.Host.Cli;

/// <summary>
/// <c>rag pal exec --file F.js [--timeout-ms N] [--memory-mb N] [--isolation in-process|process]</c>: runs one PAL program
/// in the sandbox. Success prints <c>result: VALUE</c> and exits 0; a program error or a hit limit prints
/// <c>error: REASON</c> and exits 1. This is also the worker contract of <see cref="ProcessPalSandbox"/>.
/// </summary>
internal static class PalCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Option<FileInfo>("--file") { Description = "The JavaScript program; it must define function solution().", Required = true };
        var timeout = new Option<int>("--timeout-ms") { Description = "Wall-clock limit in milliseconds.", DefaultValueFactory = _ => 2000 };
        var memory = new Option<int>("--memory-mb") { Description = "Memory limit in MiB.", DefaultValueFactory = _ => 64 };
        var statements = new Option<int>("--max-statements") { Description = "Statement limit.", DefaultValueFactory = _ => 10_000_000 };
        var recursion = new Option<int>("--max-recursion") { Description = "Call depth limit.", DefaultValueFactory = _ => 256 };
        var isolation = new Option<string>("--isolation") { Description = "in-process (Jint in this process) or process (a limited child process).", DefaultValueFactory = _ => "in-process" };
        isolation.AcceptOnlyFromAmong("in-process", "process");
        var exec = new Command("exec", "Run one program in the PAL sandbox; prints result: VALUE (exit 0) or error: REASON (exit 1).")
        {
            file, timeout, memory, statements, recursion, isolation,
        };
        exec.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw new FileNotFoundException($"program file not found: {path.FullName} (pass --file with a .js file that defines function solution())");
            }

            var options = new PalSandboxOptions
            {
                TimeoutMs = parse.GetValue(timeout),
                MemoryMb = parse.GetValue(memory),
                MaxStatements = parse.GetValue(statements),
                MaxRecursion = parse.GetValue(recursion),
            };
            try
            {
                options.Validate();
            }
            catch (System.ComponentModel.DataAnnotations.ValidationException ex)
            {
                throw new ArgumentException(ex.Message + " (see rag pal exec --help)", ex);
            }

            IPalSandbox sandbox = parse.GetValue(isolation) == "process"
                ? new ProcessPalSandbox(WithWorker(options))
                : new JintPalSandbox(options);
            var result = await sandbox.ExecuteAsync(await File.ReadAllTextAsync(path.FullName, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync(result.ToString()).ConfigureAwait(false);
            return result.Succeeded ? 0 : 1;
        });
        var pal = new Command("pal", "Program-aided answers: run JavaScript in the sandbox.") { exec };
        return pal;
    }

    /// <summary>Sets the worker command to this executable's own <c>pal exec</c> (in process, in the child).</summary>
    public static PalSandboxOptions WithWorker(PalSandboxOptions options)
    {
        options.WorkerCommand = [.. SelfCommand(), "pal", "exec", "--isolation", "in-process"];
        return options;
    }

    private static string[] SelfCommand()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var rag = Path.Combine(AppContext.BaseDirectory, "rag.dll");
        // Under `dotnet rag.dll` (and under a test host) run the rag assembly through the dotnet muxer.
        return Path.GetFileNameWithoutExtension(host) == "rag" ? [host] : [DotnetMuxer(host), rag];
    }

    private static string DotnetMuxer(string host) =>
        Path.GetFileNameWithoutExtension(host) == "dotnet" ? host
        : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } muxer ? muxer
        : "dotnet";
}
