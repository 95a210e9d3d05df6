using Microsoft.Extensions.Logging;

namespace Rag.Host.Cli;

/// <summary>What every command needs: the two output streams and a logger factory that writes to stderr.</summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr, bool verbose = false)
{
    /// <summary>Results only.</summary>
    public TextWriter Out { get; } = stdout;

    /// <summary>Logs, progress and errors.</summary>
    public TextWriter Error { get; } = stderr;

    /// <summary>True with <c>--verbose</c>: debug logs and stack traces.</summary>
    public bool Verbose { get; } = verbose;

    /// <summary>Creates a logger factory writing to <see cref="Error"/> at the given minimum level (Debug with <c>--verbose</c>).</summary>
    public ILoggerFactory CreateLoggerFactory(LogLevel minimum = LogLevel.Warning) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(Verbose ? LogLevel.Debug : minimum).AddProvider(new TextWriterLoggerProvider(Error)));
}
