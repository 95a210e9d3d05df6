namespace Rag.Model.Serving;

/// <summary>
/// The scheduler's queue is full: <see cref="LlamaSchedulerOptions.MaxQueuedRequests"/> requests are already waiting
/// for a sequence. Retry later or raise the limit; requests already admitted are unaffected.
/// </summary>
public sealed class LlamaSchedulerOverloadedException : Exception
{
    /// <summary>Creates the exception for a queue of <paramref name="queueCapacity"/>.</summary>
    public LlamaSchedulerOverloadedException(int queueCapacity, int activeSequences)
        : base($"The llama batch scheduler is overloaded: {activeSequences} sequences are decoding and the queue of {queueCapacity} waiting requests is full. Retry later or raise MaxQueuedRequests / MaxSequences.")
    {
        QueueCapacity = queueCapacity;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public LlamaSchedulerOverloadedException() : base("The llama batch scheduler is overloaded.") { }

    /// <summary>Creates an exception with a message.</summary>
    public LlamaSchedulerOverloadedException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and inner exception.</summary>
    public LlamaSchedulerOverloadedException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The queue capacity that was exceeded.</summary>
    public int QueueCapacity { get; }
}
