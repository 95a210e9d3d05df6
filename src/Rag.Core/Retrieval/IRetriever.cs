namespace Rag.Core.Retrieval;

/// <summary>
/// Retrieves the chunks most relevant to a query. The seam every retrieval consumer (answering, agents, the HTTP API)
/// depends on; implementations compose as decorators (<see cref="DelegatingRetriever"/>), in the style of
/// Microsoft.Extensions.AI's <c>IChatClient</c>: <see cref="HybridRetriever"/> searches the index,
/// <see cref="RerankingRetriever"/> rescores its head, and caching or logging wrap either.
/// </summary>
public interface IRetriever
{
    /// <summary>Retrieves the best hits for <paramref name="query"/>, best first.</summary>
    /// <param name="query">The question or search text.</param>
    /// <param name="options">Per-call settings (hit count, filter, mode); null uses the retriever's defaults.</param>
    /// <param name="cancellationToken">Cancels the retrieval.</param>
    Task<IReadOnlyList<RetrievalHit>> RetrieveAsync(string query, RetrievalRequestOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks the retriever (or the retrievers it wraps) for an object of <paramref name="serviceType"/>, for example a
    /// decorator or the <see cref="HybridRetriever"/> at the bottom of a pipeline; null when there is none.
    /// </summary>
    object? GetService(Type serviceType, object? serviceKey = null);
}

/// <summary>Per-call settings of <see cref="IRetriever.RetrieveAsync"/>. Null properties use the retriever's <see cref="RetrievalOptions"/>.</summary>
public sealed record RetrievalRequestOptions
{
    /// <summary>Hits to return; null for <see cref="RetrievalOptions.TopK"/>.</summary>
    public int? TopK { get; init; }

    /// <summary>Exact-match metadata filter applied to every stage; every entry must match.</summary>
    public IReadOnlyDictionary<string, string>? Filter { get; init; }

    /// <summary>Stages to run; null for <see cref="RetrievalOptions.Mode"/>.</summary>
    public RetrievalMode? Mode { get; init; }
}

/// <summary>Conveniences over <see cref="IRetriever"/>.</summary>
public static class RetrieverExtensions
{
    /// <summary>Retrieves the best <paramref name="topK"/> hits.</summary>
    public static Task<IReadOnlyList<RetrievalHit>> RetrieveAsync(this IRetriever retriever, string query, int topK, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        return retriever.RetrieveAsync(query, new RetrievalRequestOptions { TopK = topK }, cancellationToken);
    }

    /// <summary>Asks the retriever pipeline for a <typeparamref name="T"/> (see <see cref="IRetriever.GetService"/>).</summary>
    public static T? GetService<T>(this IRetriever retriever, object? serviceKey = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(retriever);
        return retriever.GetService(typeof(T), serviceKey) as T;
    }
}
