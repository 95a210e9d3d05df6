using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Rag.Core.Indexing;
using Rag.Core.Storage.Internal;

namespace Rag.Core.Storage;

/// <summary>Where the index store lives and how it keeps its two indexes; bound from the <c>Rag:Index</c> configuration section.</summary>
public sealed class IndexStoreOptions
{
    /// <summary>The store folder: created when missing; an existing folder must be empty or hold a Rag index.</summary>
    /// <value>Default <c>.rag/index</c>, relative to the current directory.</value>
    [Required(AllowEmptyStrings = false)]
    public string Directory { get; set; } = Path.Combine(".rag", "index");

    /// <summary>How long a writer waits for another process's writer to finish before failing with <see cref="IndexLockedException"/>.</summary>
    /// <value>Default 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan WriterLockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>BM25 (Lucene) settings. The analysis chain is recorded in the manifest and checked; k1, b and the title boost apply at query time.</summary>
    /// <value>Default: Anserini's BEIR settings (see <see cref="LuceneIndexOptions"/>).</value>
    [ValidateObjectMembers]
    public LuceneIndexOptions Lucene { get; set; } = new();

    /// <summary>Vector index settings (backend, FAISS factory string, search parameters).</summary>
    /// <value>Default: FAISS Flat when the shim loads, else managed exact search.</value>
    [ValidateObjectMembers]
    public VectorIndexOptions Vectors { get; set; } = new();

    /// <summary>The file-system layer; the power-loss test replaces it with one that drops unsynced writes.</summary>
    internal StoreFileSystem FileSystem { get; set; } = StoreFileSystem.Default;

    /// <summary>Throws <see cref="ValidationException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        var result = new IndexStoreOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new ValidationException(result.FailureMessage);
        }

        Lucene.Validate();
        Vectors.Validate();
    }
}

/// <summary>Validates <see cref="IndexStoreOptions"/> (DataAnnotations, nested options included).</summary>
[OptionsValidator]
internal sealed partial class IndexStoreOptionsValidator : IValidateOptions<IndexStoreOptions>
{
}
