using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Rag.Ingest.Pipeline;

namespace Rag.Server.Worker;

/// <summary>One unit of work for the ingestion worker: a run of the pipeline, and the caller's wait for its results.</summary>
internal sealed class IngestJob(string description, Func<IngestionPipeline, CancellationToken, Task<IReadOnlyList<IngestResult>>> run)
{
    public string Description { get; } = description;

    public Func<IngestionPipeline, CancellationToken, Task<IReadOnlyList<IngestResult>>> Run { get; } = run;

    public TaskCompletionSource<IReadOnlyList<IngestResult>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs an ingestion stream to its end and collects the results.</summary>
    public static async Task<IReadOnlyList<IngestResult>> CollectAsync(IAsyncEnumerable<IngestResult> results, CancellationToken cancellationToken)
    {
        var list = new List<IngestResult>();
        await foreach (var r in results.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            list.Add(r);
        }

        return list;
    }
}

/// <summary>
/// The bounded queue in front of the single ingestion worker. Writes (ingest, delete, folder rescans) are serialised
/// through it; a full queue refuses at once (the HTTP API answers 429), and <see cref="Complete"/> stops intake at shutdown.
/// </summary>
internal sealed class IngestionQueue
{
    private readonly Channel<IngestJob> _channel;
    private int _depth;

    public IngestionQueue(IOptions<RagServerOptions> options)
    {
        Capacity = options.Value.IngestQueueCapacity;
        _channel = Channel.CreateBounded<IngestJob>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public int Capacity { get; }

    /// <summary>Jobs waiting (not counting the one running).</summary>
    public int Depth => Volatile.Read(ref _depth);

    /// <summary>True once intake has stopped.</summary>
    public bool IsCompleted { get; private set; }

    internal ChannelReader<IngestJob> Reader => _channel.Reader;

    /// <summary>Queues a job; false when the queue is full or intake has stopped.</summary>
    public bool TryEnqueue(IngestJob job)
    {
        if (!_channel.Writer.TryWrite(job))
        {
            return false;
        }

        Interlocked.Increment(ref _depth);
        return true;
    }

    internal void Dequeued() => Interlocked.Decrement(ref _depth);

    /// <summary>Stops intake: later <see cref="TryEnqueue"/> calls return false; queued jobs still drain.</summary>
    public void Complete()
    {
        IsCompleted = true;
        _channel.Writer.TryComplete();
    }
}
