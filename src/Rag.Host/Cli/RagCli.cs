using System.CommandLine;

namespace Rag.Host.Cli;

/// <summary>
/// The <c>rag</c> command line. Results go to <c>stdout</c>; logs and errors go to <c>stderr</c>.
/// </summary>
internal static class RagCli
{
    /// <summary>Parses and runs one command line; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var context = new CliContext(stdout, stderr);
        var root = new RootCommand("Rag: retrieval-augmented generation with an in-process llama.cpp model.");
        foreach (var command in CliCommands.All(context))
        {
            root.Subcommands.Add(command);
        }

        var parse = root.Parse(args);
        var invocation = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        if (parse.CommandResult.Command.Name == "serve")
        {
            // On SIGTERM or Ctrl-C System.CommandLine cancels the action's token and, after this timeout, ends the process
            // (exit 143 or 130). Its default of 2 s would cut `rag serve` off in the middle of its graceful stop.
            invocation.ProcessTerminationTimeout = ServeCommand.StopTimeout;
        }

        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("rag: cancelled").ConfigureAwait(false);
            return 130;
        }
        catch (Exception ex) when (CliErrors.Describe(ex) is { } message)
        {
            // Known failures (missing model, missing native library, bad input) get one clear line, no stack trace.
            await stderr.WriteLineAsync($"rag: error: {message}").ConfigureAwait(false);
            return 2;
        }
    }
}
