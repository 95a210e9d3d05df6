namespace Rag.Host.Cli;

/// <summary>Reports on the caller's thread, in order (<see cref="Progress{T}"/> posts to the thread pool and can reorder lines).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
