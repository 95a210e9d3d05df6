namespace Rag.Core.Retrieval;

/// <summary>
/// Builds a retriever pipeline from an inner retriever and decorators, like Microsoft.Extensions.AI's
/// <c>ChatClientBuilder</c>: the first <see cref="Use(Func{IRetriever, IRetriever})"/> is the outermost decorator.
/// </summary>
public sealed class RetrieverBuilder
{
    private readonly Func<IServiceProvider, IRetriever> _inner;
    private readonly List<Func<IRetriever, IServiceProvider, IRetriever>> _decorators = [];

    /// <summary>Starts from <paramref name="innerRetriever"/>.</summary>
    public RetrieverBuilder(IRetriever innerRetriever)
    {
        ArgumentNullException.ThrowIfNull(innerRetriever);
        _inner = _ => innerRetriever;
    }

    /// <summary>Starts from a retriever made from the services when the pipeline is built.</summary>
    public RetrieverBuilder(Func<IServiceProvider, IRetriever> innerRetrieverFactory)
    {
        ArgumentNullException.ThrowIfNull(innerRetrieverFactory);
        _inner = innerRetrieverFactory;
    }

    /// <summary>Adds a decorator.</summary>
    public RetrieverBuilder Use(Func<IRetriever, IRetriever> retrieverFactory)
    {
        ArgumentNullException.ThrowIfNull(retrieverFactory);
        _decorators.Add((inner, _) => retrieverFactory(inner));
        return this;
    }

    /// <summary>Adds a decorator made with the services.</summary>
    public RetrieverBuilder Use(Func<IRetriever, IServiceProvider, IRetriever> retrieverFactory)
    {
        ArgumentNullException.ThrowIfNull(retrieverFactory);
        _decorators.Add(retrieverFactory);
        return this;
    }

    /// <summary>Adds a <see cref="RerankingRetriever"/> with <paramref name="reranker"/>.</summary>
    public RetrieverBuilder UseReranking(IReranker reranker, RetrievalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reranker);
        return Use(inner => new RerankingRetriever(inner, reranker, options));
    }

    /// <summary>Builds the pipeline: the inner retriever wrapped by the decorators, the first added outermost.</summary>
    public IRetriever Build(IServiceProvider? services = null)
    {
        services ??= EmptyServiceProvider.Instance;
        var retriever = _inner(services);
        for (int i = _decorators.Count - 1; i >= 0; i--)
        {
            retriever = _decorators[i](retriever, services)
                ?? throw new InvalidOperationException($"Retriever decorator {i} returned null.");
        }

        return retriever;
    }

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static readonly EmptyServiceProvider Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
