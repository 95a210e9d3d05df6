using Microsoft.Extensions.Logging;

namespace Rag.Host.Cli;

/// <summary>What every command needs: the two output streams and a logger factory that writes to stderr.</summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr)
{
    /// <summary>Results only.</summary>
    public TextWriter Out { get; } = stdout;

    /// <summary>Logs, progress and errors.</summary>
    public TextWriter Error { get; } = stderr;

    /// <summary>Creates a logger factory writing to <see cref="Error"/> at the given minimum level.</summary>
    public ILoggerFactory CreateLoggerFactory(LogLevel minimum = LogLevel.Warning) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(minimum).AddProvider(new TextWriterLoggerProvider(Error)));
}
