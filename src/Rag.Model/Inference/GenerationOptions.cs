using Rag.Model.Sampling;

namespace Rag.Model.Inference;

/// <summary>Settings for one generation.</summary>
public sealed class GenerationOptions
{
    /// <summary>Maximum tokens to sample (default 256). Generation also ends at end-of-generation tokens, stop strings, or a full context.</summary>
    public int MaxTokens { get; set; } = 256;

    /// <summary>
    /// Strings that end generation. They are matched across token boundaries and never emitted: text that could be the
    /// start of a stop string is held back until it is known not to be one.
    /// </summary>
    public IReadOnlyList<string> StopStrings { get; set; } = [];

    /// <summary>The sampler chain settings.</summary>
    public SamplingOptions Sampling { get; set; } = new();

    /// <summary>Keep sampling after end-of-generation tokens (benchmarks measure a fixed length this way).</summary>
    public bool IgnoreEndOfGeneration { get; set; }

    /// <summary>Render special/control tokens as text instead of dropping them.</summary>
    public bool RenderSpecialTokens { get; set; }

    /// <summary>Add BOS (when the model adds it) when tokenizing a text prompt (default true).</summary>
    public bool AddSpecialTokens { get; set; } = true;

    /// <summary>Parse special-token text in the prompt (e.g. chat markers produced by a template; default true).</summary>
    public bool ParseSpecialTokens { get; set; } = true;

    /// <summary>Throws for invalid values.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxTokens);
        ArgumentNullException.ThrowIfNull(StopStrings);
        if (StopStrings.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Stop strings must not be empty.", nameof(StopStrings));
        }

        ArgumentNullException.ThrowIfNull(Sampling);
        Sampling.Validate();
    }
}
