using System.ComponentModel.DataAnnotations;

namespace Rag.Core.Indexing;

/// <summary>Options of <see cref="LuceneBm25Index"/>.</summary>
public sealed class LuceneIndexOptions
{
    /// <summary>BM25 term-frequency saturation. Default 0.9 (Anserini's BEIR default).</summary>
    [Range(0.0, 10.0)]
    public float K1 { get; set; } = 0.9f;

    /// <summary>BM25 length normalization, 0..1. Default 0.4 (Anserini's BEIR default).</summary>
    [Range(0.0, 1.0)]
    public float B { get; set; } = 0.4f;

    /// <summary>
    /// Extra weight of a match in the title field. The title is always part of the searched
    /// <c>contents</c> field (title + text, the "flat" BEIR setup); with a boost above 0 the query also
    /// searches the title alone with this boost. Default 0: on SciFact flat scores best (see docs/BENCHMARKS.md, retrieval).
    /// </summary>
    [Range(0.0, 100.0)]
    public float TitleBoost { get; set; }

    /// <summary>
    /// How many recent commits the index keeps on disk (at least 1). Keeping more than one lets a crash-recovery step
    /// reopen an older commit with <see cref="LuceneBm25Index.RevertToCommit"/> when another index lags behind.
    /// Default 3.
    /// </summary>
    [Range(1, 1000)]
    public int KeepCommits { get; set; } = 3;

    /// <summary>Analysis chain; default <see cref="EnglishAnalysis.Porter"/>.</summary>
    public EnglishAnalysis Analysis { get; set; } = EnglishAnalysis.Porter;

    /// <summary>Size of the writer's RAM buffer in MB before it flushes a segment. Default 64.</summary>
    [Range(1.0, 4096.0)]
    public double RamBufferMb { get; set; } = 64;

    /// <summary>Throws <see cref="ValidationException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        if (!Enum.IsDefined(Analysis))
        {
            throw new ValidationException($"LuceneIndexOptions.Analysis has an unknown value {Analysis}.");
        }
    }
}

/// <summary>English analysis chains for BM25.</summary>
public enum EnglishAnalysis
{
    /// <summary>
    /// Standard tokenizer, possessive removal, lowercase, Lucene's English stop words, Porter stemmer:
    /// the chain of Anserini's default English analyzer.
    /// </summary>
    Porter = 0,

    /// <summary>Like <see cref="Porter"/> but with the less aggressive KStem stemmer.</summary>
    KStem = 1,

    /// <summary>Standard tokenizer and lowercase only: no stop words, no stemming.</summary>
    None = 2,
}
