using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Rag.Core.Documents;

namespace Rag.Ingest.Chunking;

/// <summary>How documents are cut into chunks.</summary>
public sealed class ChunkingOptions
{
    /// <summary>Splitting strategy. Default <see cref="ChunkingStrategy.Markdown"/> (equals <see cref="ChunkingStrategy.Recursive"/> for documents without headings).</summary>
    public ChunkingStrategy Strategy { get; set; } = ChunkingStrategy.Markdown;

    /// <summary>Largest chunk, in tokens of the configured <see cref="ITokenCounter"/>. Default 256.</summary>
    [Range(8, 65536)]
    public int MaxTokens { get; set; } = 256;

    /// <summary>
    /// Tokens of the end of a chunk repeated at the start of the next one, so a fact cut by a boundary is whole in one
    /// of them. Must be below <see cref="MaxTokens"/>. Default 32.
    /// </summary>
    [Range(0, 65535)]
    public int OverlapTokens { get; set; } = 32;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Strategy))
        {
            throw new ArgumentException($"ChunkingOptions.Strategy has an unknown value {Strategy}.");
        }

        if (MaxTokens < 8)
        {
            throw new ArgumentException($"ChunkingOptions.MaxTokens must be at least 8 (was {MaxTokens}).");
        }

        if (OverlapTokens < 0)
        {
            throw new ArgumentException($"ChunkingOptions.OverlapTokens must be 0 or more (was {OverlapTokens}).");
        }

        if (OverlapTokens >= MaxTokens)
        {
            throw new ArgumentException($"ChunkingOptions.OverlapTokens ({OverlapTokens}) must be smaller than MaxTokens ({MaxTokens}).");
        }
    }

    /// <summary>A string that changes whenever the chunks would; part of each document's content hash.</summary>
    public string Fingerprint(ITokenCounter counter) =>
        string.Create(CultureInfo.InvariantCulture, $"{Strategy}/{MaxTokens}/{OverlapTokens}/{counter.Name}");
}

/// <summary>Chunking strategies.</summary>
public enum ChunkingStrategy
{
    /// <summary>Recursive token-aware splitting: paragraphs, then lines, sentences, words, characters; greedy packing with overlap.</summary>
    Recursive = 0,

    /// <summary>Like <see cref="Recursive"/>, but a chunk never crosses a heading section, and carries that section's heading path.</summary>
    Markdown = 1,

    /// <summary>Packs whole sentences; the overlap is made of whole sentences.</summary>
    Sentence = 2,
}
