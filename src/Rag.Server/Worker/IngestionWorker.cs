using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rag.Ingest.Pipeline;

namespace Rag.Server.Worker;

/// <summary>
/// Runs ingestion jobs one at a time. At shutdown it stops intake, cancels the job in flight (the pipeline rolls back
/// its uncommitted batch; what was committed stays, so the index is consistent), fails the jobs still queued with
/// "shutting down", and releases the writer lock before the process exits.
/// </summary>
internal sealed partial class IngestionWorker(IngestionQueue queue, IServiceProvider services, ILogger<IngestionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IngestionPipeline? pipeline = null;
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (queue.Reader.TryRead(out var job))
                {
                    queue.Dequeued();
                    if (stoppingToken.IsCancellationRequested)
                    {
                        job.Completion.TrySetException(new ShuttingDownException());
                        continue;
                    }

                    pipeline ??= services.GetRequiredService<IngestionPipeline>();
                    LogStarting(logger, job.Description);
                    try
                    {
                        var results = await job.Run(pipeline, stoppingToken).ConfigureAwait(false);
                        LogFinished(logger, job.Description, results.Count);
                        job.Completion.TrySetResult(results);
                    }
                    catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                    {
                        LogRolledBack(logger, job.Description);
                        job.Completion.TrySetException(new ShuttingDownException());
                    }
                    catch (Exception ex)
                    {
                        LogFailed(logger, ex, job.Description);
                        job.Completion.TrySetException(ex);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            while (queue.Reader.TryRead(out var job))
            {
                queue.Dequeued();
                job.Completion.TrySetException(new ShuttingDownException());
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        LogStopping(logger, queue.Depth);
        queue.Complete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        LogStopped(logger);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion: {Job}")]
    private static partial void LogStarting(ILogger logger, string job);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion done: {Job} ({Count} results)")]
    private static partial void LogFinished(ILogger logger, string job, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingestion stopped by shutdown; the uncommitted batch of {Job} was rolled back")]
    private static partial void LogRolledBack(ILogger logger, string job);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingestion failed: {Job}")]
    private static partial void LogFailed(ILogger logger, Exception ex, string job);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion worker stopping: intake closed, {Queued} queued jobs will be refused")]
    private static partial void LogStopping(ILogger logger, int queued);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion worker stopped; the index is committed")]
    private static partial void LogStopped(ILogger logger);
}

/// <summary>The server is stopping; the job was not run (or was rolled back).</summary>
internal sealed class ShuttingDownException() : Exception("The server is shutting down; the ingestion job was not completed. Retry after restart.");
