using Microsoft.Extensions.Logging;

namespace Rag.Host.Cli;

/// <summary>Minimal logger for CLI commands: writes "level: message" lines to stderr at or above a level.</summary>
internal sealed class TextWriterLogger(TextWriter writer, LogLevel minLevel) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minLevel && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        lock (writer)
        {
            writer.WriteLine($"{logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}");
        }
    }
}
