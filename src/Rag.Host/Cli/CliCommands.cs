using System.CommandLine;

namespace Rag.Host.Cli;

/// <summary>All top-level commands.</summary>
internal static class CliCommands
{
    public static IEnumerable<Command> All(CliContext context)
    {
        yield return DemoCommand.Create(context);
    }
}
