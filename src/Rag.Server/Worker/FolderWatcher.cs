using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rag.Ingest.Pipeline;

namespace Rag.Server.Worker;

/// <summary>
/// Keeps the watched folders (<see cref="RagServerOptions.WatchFolders"/>) ingested: a scan at start, a scan shortly
/// after file-watcher events, and a full rescan every <see cref="RagServerOptions.RescanIntervalSeconds"/> so that a
/// missed event (overflowed watcher buffer, network file system) is caught. Scans are incremental (unchanged content
/// is skipped; removed files are deleted) and go through the ingestion queue, at most one waiting at a time.
/// </summary>
internal sealed partial class FolderWatcher(IngestionQueue queue, IOptions<RagServerOptions> options, ILogger<FolderWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan s_debounce = TimeSpan.FromMilliseconds(300);
    private readonly SemaphoreSlim _signal = new(0);
    private int _pending;

    /// <summary>Completed scans (for tests and metrics).</summary>
    public int Scans => Volatile.Read(ref _scans);

    private int _scans;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var folders = options.Value.WatchFolders.Select(Path.GetFullPath).ToList();
        if (folders.Count == 0)
        {
            return;
        }

        foreach (var f in folders)
        {
            Directory.CreateDirectory(f);
        }

        var root = options.Value.ResolvedSourceRoot;
        var watchers = folders.Select(f => Watch(f)).ToList();
        try
        {
            var interval = TimeSpan.FromSeconds(options.Value.RescanIntervalSeconds);
            var nextRescan = DateTime.UtcNow;
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = nextRescan - DateTime.UtcNow;
                var signalled = wait > TimeSpan.Zero && await _signal.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
                if (signalled)
                {
                    // Let a burst of events settle into one scan.
                    await Task.Delay(s_debounce, stoppingToken).ConfigureAwait(false);
                    while (_signal.CurrentCount > 0)
                    {
                        _signal.Wait(0, CancellationToken.None);
                    }
                }
                else
                {
                    nextRescan = DateTime.UtcNow + interval;
                }

                if (Interlocked.CompareExchange(ref _pending, 1, 0) != 0)
                {
                    continue;
                }

                var job = new IngestJob($"scan of {string.Join(", ", folders)}", async (pipeline, ct) =>
                {
                    Volatile.Write(ref _pending, 0);
                    var results = await IngestJob.CollectAsync(pipeline.IngestPathsAsync(folders, new IngestRunOptions { Root = root }, ct), ct).ConfigureAwait(false);
                    Interlocked.Increment(ref _scans);
                    LogScanned(logger, results.Count(r => r.Status == IngestStatus.Indexed), results.Count(r => r.Status == IngestStatus.Deleted),
                        results.Count(r => r.Status == IngestStatus.Failed));
                    return results;
                });
                if (!queue.TryEnqueue(job))
                {
                    Volatile.Write(ref _pending, 0);
                    if (queue.IsCompleted)
                    {
                        break;
                    }

                    LogQueueFull(logger);
                    nextRescan = DateTime.UtcNow + TimeSpan.FromSeconds(5);
                }
                else
                {
                    _ = job.Completion.Task.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var w in watchers)
            {
                w.Dispose();
            }
        }
    }

    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
    }

    private FileSystemWatcher Watch(string folder)
    {
        var watcher = new FileSystemWatcher(folder) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size };
        watcher.Created += (_, _) => _signal.Release();
        watcher.Changed += (_, _) => _signal.Release();
        watcher.Deleted += (_, _) => _signal.Release();
        watcher.Renamed += (_, _) => _signal.Release();
        watcher.Error += (_, e) =>
        {
            LogWatcherError(logger, e.GetException());
            _signal.Release();
        };
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    internal static string CommonRoot(IReadOnlyList<string> folders)
    {
        var root = folders[0];
        foreach (var f in folders.Skip(1))
        {
            while (!IsUnder(f, root))
            {
                root = Path.GetDirectoryName(root) ?? Path.GetPathRoot(root)!;
            }
        }

        return root;
    }

    private static bool IsUnder(string path, string root) =>
        path.Equals(root, StringComparison.Ordinal) || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watched folders scanned: {Indexed} indexed, {Deleted} deleted, {Failed} failed")]
    private static partial void LogScanned(ILogger logger, int indexed, int deleted, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ingestion queue is full; the folder scan is retried in 5 s")]
    private static partial void LogQueueFull(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "File watcher error; a rescan follows")]
    private static partial void LogWatcherError(ILogger logger, Exception ex);
}
