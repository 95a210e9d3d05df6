using System.CommandLine;

namespace Rag.Host.Cli;

/// <summary>
/// A command whose options are parsed by the library that implements it (each library's command class documents and
/// validates its own options). System.CommandLine routes to it and gives it the remaining words.
/// </summary>
internal static class ForwardedCommand
{
    public delegate Task<int> Runner(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken);

    public static Command Create(CliContext context, string name, string description, string usage, Runner run)
    {
        var command = new Command(name, description + Environment.NewLine + "usage: " + usage) { TreatUnmatchedTokensAsErrors = false };
        command.SetAction((parse, ct) => run([.. parse.UnmatchedTokens], context.Out, context.Error, ct));
        return command;
    }
}
