using Rag.Core.Indexing;

namespace Rag.Ingest.Storage;

/// <summary>Where and how an <see cref="IndexStore"/> keeps its two indexes.</summary>
public sealed class IndexStoreOptions
{
    /// <summary>Folder owned by the store (created when missing). Required.</summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>BM25 index options.</summary>
    public LuceneIndexOptions Lucene { get; set; } = new();

    /// <summary>
    /// Creates an empty vector index of a dimension. Default: <see cref="ManagedVectorIndex"/> (exact search).
    /// Set together with <see cref="LoadVectorIndex"/>, for example to use the FAISS index.
    /// </summary>
    public Func<int, IVectorIndex> CreateVectorIndex { get; set; } = dimension => new ManagedVectorIndex(dimension);

    /// <summary>Loads a vector index written by <see cref="IVectorIndex.Save"/> of the kind <see cref="CreateVectorIndex"/> makes.</summary>
    public Func<string, IVectorIndex> LoadVectorIndex { get; set; } = path => ManagedVectorIndex.Load(path);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException("IndexStoreOptions.Directory must be set.");
        }

        ArgumentNullException.ThrowIfNull(Lucene, nameof(Lucene));
        Lucene.Validate();
        ArgumentNullException.ThrowIfNull(CreateVectorIndex, nameof(CreateVectorIndex));
        ArgumentNullException.ThrowIfNull(LoadVectorIndex, nameof(LoadVectorIndex));
    }
}
