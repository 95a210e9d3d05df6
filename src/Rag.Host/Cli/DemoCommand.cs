using System.CommandLine;

namespace Rag.Host.Cli;

/// <summary><c>rag demo</c>: ingest the sample documents, then answer one question with sources.</summary>
internal static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("demo", "Ingest samples/data, then answer a question with citations.");
        command.SetAction(async (parse, ct) =>
        {
            await context.Out.WriteLineAsync("demo: not wired yet").ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
