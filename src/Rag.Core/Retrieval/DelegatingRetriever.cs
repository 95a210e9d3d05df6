namespace Rag.Core.Retrieval;

/// <summary>
/// A retriever that passes every call to an inner one: derive from it and override what the decorator changes, like
/// Microsoft.Extensions.AI's <c>DelegatingChatClient</c>.
/// </summary>
public abstract class DelegatingRetriever : IRetriever
{
    /// <summary>Wraps <paramref name="innerRetriever"/>.</summary>
    protected DelegatingRetriever(IRetriever innerRetriever)
    {
        ArgumentNullException.ThrowIfNull(innerRetriever);
        InnerRetriever = innerRetriever;
    }

    /// <summary>The wrapped retriever.</summary>
    protected IRetriever InnerRetriever { get; }

    /// <inheritdoc />
    public virtual Task<IReadOnlyList<RetrievalHit>> RetrieveAsync(string query, RetrievalRequestOptions? options = null, CancellationToken cancellationToken = default) =>
        InnerRetriever.RetrieveAsync(query, options, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Returns this decorator when it is of <paramref name="serviceType"/>, else asks the inner retriever.</remarks>
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : InnerRetriever.GetService(serviceType, serviceKey);
    }
}
