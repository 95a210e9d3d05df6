using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rag.Agents.Pal;

/// <summary>
/// Runs each PAL program in a child process (<see cref="PalSandboxOptions.WorkerCommand"/>, the <c>rag pal exec</c>
/// contract), which applies Jint's limits itself. The child also gets operating-system limits that Jint cannot bypass:
/// the .NET GC heap is capped (<c>DOTNET_GCHeapHardLimit</c>, the memory limit plus room for the runtime), CPU time is
/// capped with <c>prlimit</c> where it exists, and the whole process tree is killed at the wall-clock deadline (the
/// timeout plus the worker's start-up allowance). A crash or kill of the child is reported as an error; this process
/// is never at risk.
/// </summary>
public sealed class ProcessPalSandbox : IPalSandbox
{
    private const int RuntimeHeapMb = 96;
    private readonly PalSandboxOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the sandbox.</summary>
    /// <exception cref="ArgumentException"><see cref="PalSandboxOptions.WorkerCommand"/> is empty.</exception>
    public ProcessPalSandbox(PalSandboxOptions options, ILogger<ProcessPalSandbox>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.WorkerCommand.Count == 0)
        {
            throw new ArgumentException("Process isolation needs a worker command (Rag:Agents:Pal:Sandbox:WorkerCommand), such as the rag executable with 'pal exec'.", nameof(options));
        }

        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Time the worker gets to start before the program's own timeout counts. Default 10 s (a cold .NET start on a busy machine).</summary>
    public TimeSpan StartupAllowance { get; init; } = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public async Task<PalExecutionResult> ExecuteAsync(string program, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(program);
        var watch = Stopwatch.StartNew();
        var file = Path.Combine(Path.GetTempPath(), "rag-pal-" + Guid.NewGuid().ToString("N") + ".js");
        await File.WriteAllTextAsync(file, program, cancellationToken).ConfigureAwait(false);
        try
        {
            using var process = new Process { StartInfo = StartInfo(file) };
            process.Start();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromMilliseconds(_options.TimeoutMs) + StartupAllowance);
            try
            {
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                _logger.LogWarning("PAL worker {Pid} killed at the deadline", process.Id);
                return PalExecutionResult.Failure(PalErrorKind.Timeout,
                    string.Create(CultureInfo.InvariantCulture, $"time limit of {_options.TimeoutMs} ms exceeded (worker killed)"), watch.Elapsed);
            }

            var output = await stdout.ConfigureAwait(false);
            var errors = await stderr.ConfigureAwait(false);
            return Parse(output, errors, process.ExitCode, watch.Elapsed);
        }
        finally
        {
            File.Delete(file);
        }
    }

    internal static PalExecutionResult Parse(string stdout, string stderr, int exitCode, TimeSpan elapsed)
    {
        var line = stdout.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith("result: ", StringComparison.Ordinal) || l.StartsWith("error: ", StringComparison.Ordinal));
        if (line is not null && line.StartsWith("result: ", StringComparison.Ordinal) && exitCode == 0)
        {
            return PalExecutionResult.Success(line["result: ".Length..], elapsed);
        }

        if (line is not null && line.StartsWith("error: ", StringComparison.Ordinal))
        {
            var reason = line["error: ".Length..];
            return PalExecutionResult.Failure(KindOf(reason), reason, elapsed);
        }

        var why = stderr.Contains("OutOfMemory", StringComparison.Ordinal) || stderr.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
            ? PalErrorKind.Memory
            : exitCode is 137 or 152 or -9 ? PalErrorKind.Timeout : PalErrorKind.Worker;
        var detail = JintPalSandbox.OneLine(stderr);
        return PalExecutionResult.Failure(why,
            string.Create(CultureInfo.InvariantCulture, $"worker exited with code {exitCode} without a result{(detail.Length > 0 ? ": " + detail[..Math.Min(200, detail.Length)] : string.Empty)}"),
            elapsed);
    }

    private static PalErrorKind KindOf(string reason) =>
        reason.StartsWith("time limit", StringComparison.Ordinal) ? PalErrorKind.Timeout
        : reason.StartsWith("memory limit", StringComparison.Ordinal) || reason.StartsWith("out of memory", StringComparison.Ordinal) ? PalErrorKind.Memory
        : reason.StartsWith("statement limit", StringComparison.Ordinal) ? PalErrorKind.Statements
        : reason.StartsWith("recursion limit", StringComparison.Ordinal) ? PalErrorKind.Recursion
        : reason.StartsWith("syntax error", StringComparison.Ordinal) ? PalErrorKind.Syntax
        : reason.StartsWith("program ", StringComparison.Ordinal) ? PalErrorKind.TooLarge
        : reason.Contains("solution()", StringComparison.Ordinal) ? PalErrorKind.NoSolution
        : PalErrorKind.Runtime;

    private ProcessStartInfo StartInfo(string file)
    {
        var cpuSeconds = Math.Max(1, (int)Math.Ceiling((_options.TimeoutMs + StartupAllowance.TotalMilliseconds) / 1000.0));
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        var command = new List<string>();
        const string Prlimit = "/usr/bin/prlimit";
        if (File.Exists(Prlimit))
        {
            command.AddRange([Prlimit, string.Create(CultureInfo.InvariantCulture, $"--cpu={cpuSeconds}"), "--"]);
        }

        command.AddRange(_options.WorkerCommand);
        command.AddRange(["--file", file, "--timeout-ms", _options.TimeoutMs.ToString(CultureInfo.InvariantCulture),
            "--memory-mb", _options.MemoryMb.ToString(CultureInfo.InvariantCulture)]);
        info.FileName = command[0];
        foreach (var a in command.Skip(1))
        {
            info.ArgumentList.Add(a);
        }

        long heapBytes = ((long)_options.MemoryMb + RuntimeHeapMb) * 1024 * 1024;
        info.Environment["DOTNET_GCHeapHardLimit"] = heapBytes.ToString("X", CultureInfo.InvariantCulture);
        info.Environment["DOTNET_TieredPGO"] = "0";
        return info;
    }
}
