using System.CommandLine;
using System.CommandLine.Help;

namespace Rag.Host.Cli;

/// <summary>
/// The <c>rag</c> command line. Results go to <c>stdout</c>; logs and errors go to <c>stderr</c>, one line per error
/// (<see cref="CliErrors"/>).
/// </summary>
internal static class RagCli
{
    /// <summary>The global option that shows stack traces and debug logs.</summary>
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Show debug logs and the stack trace of a failure.", Recursive = true };

    /// <summary>Builds the command tree.</summary>
    public static RootCommand CreateRoot(CliContext context)
    {
        var root = new RootCommand("Rag: retrieval-augmented generation with an in-process llama.cpp model.\n" +
            "Settings come from appsettings.json in the working directory, Rag__… environment variables (for example " +
            "Rag__Model__Chat__ModelPath) and the command line, in that order of precedence (lowest first).");
        root.Options.Add(Verbose);
        foreach (var command in CliCommands.All(context))
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    /// <summary>Parses and runs one command line; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var verbose = args.Contains("--verbose");
        var context = new CliContext(stdout, stderr, verbose);
        ModelCommands.Verbose = verbose;
        CliConfiguration.Verbose = verbose;
        var root = CreateRoot(context);
        ParseResult parse;
        try
        {
            parse = root.Parse(args);
        }
        catch (Exception ex)
        {
            await stderr.WriteLineAsync($"rag: error: {CliErrors.OneLine(ex.Message)} (see rag --help)").ConfigureAwait(false);
            return CliErrors.UsageExit;
        }

        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            var command = parse.CommandResult.Command;
            var path = command == root ? "rag" : "rag " + string.Join(' ', CommandPath(parse.CommandResult));
            var what = (parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0]).Message;
            if (command == root && args.Length == 0)
            {
                what = "no command given";
            }

            await stderr.WriteLineAsync($"rag: error: {CliErrors.OneLine(what)} (see {path} --help)").ConfigureAwait(false);
            return CliErrors.UsageExit;
        }

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
        catch (Exception ex)
        {
            var (line, exit) = CliErrors.Describe(ex);
            await stderr.WriteLineAsync(line).ConfigureAwait(false);
            if (verbose)
            {
                await stderr.WriteLineAsync(ex.ToString()).ConfigureAwait(false);
            }

            return exit;
        }
    }

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result; r is System.CommandLine.Parsing.CommandResult c && c.Parent is not null; r = c.Parent)
        {
            names.Push(c.Command.Name);
        }

        return names;
    }
}
