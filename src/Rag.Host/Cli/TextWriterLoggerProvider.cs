using Microsoft.Extensions.Logging;

namespace Rag.Host.Cli;

/// <summary>A minimal logger provider that writes one line per message to a <see cref="TextWriter"/> (stderr for the CLI).</summary>
internal sealed class TextWriterLoggerProvider(TextWriter writer) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(writer, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(TextWriter writer, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var shortCategory = category[(category.LastIndexOf('.') + 1)..];
            lock (writer)
            {
                writer.WriteLine($"[{logLevel.ToString().ToLowerInvariant()[..4]}] {shortCategory}: {formatter(state, exception)}");
            }
        }
    }
}
