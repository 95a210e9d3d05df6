namespace Rag.Model.Sampling;

/// <summary>
/// Sampler chain settings. The chain is built in llama.cpp's usual order: logit bias, penalties, grammar, top-k,
/// top-p, min-p, temperature, then a seeded draw. With <see cref="Temperature"/> ≤ 0 the draw is greedy (arg-max) and
/// the output is deterministic.
/// </summary>
public sealed class SamplingOptions
{
    /// <summary>Temperature (default 0.8). 0 or below selects greedy decoding.</summary>
    public float Temperature { get; set; } = 0.8f;

    /// <summary>Top-k (default 40; 0 disables).</summary>
    public int TopK { get; set; } = 40;

    /// <summary>Nucleus sampling threshold (default 0.95; 1 disables).</summary>
    public float TopP { get; set; } = 0.95f;

    /// <summary>Min-p threshold (default 0.05; 0 disables).</summary>
    public float MinP { get; set; } = 0.05f;

    /// <summary>Repetition penalty (default 1 = off).</summary>
    public float RepeatPenalty { get; set; } = 1.0f;

    /// <summary>Frequency penalty (default 0 = off).</summary>
    public float FrequencyPenalty { get; set; }

    /// <summary>Presence penalty (default 0 = off).</summary>
    public float PresencePenalty { get; set; }

    /// <summary>How many recent tokens the penalties look at (default 64; -1 = whole context).</summary>
    public int PenaltyLastN { get; set; } = 64;

    /// <summary>Seed of the random draw; null = a random seed.</summary>
    public uint? Seed { get; set; }

    /// <summary>Additive biases per token id (use float.NegativeInfinity to ban a token).</summary>
    public IReadOnlyDictionary<int, float>? LogitBias { get; set; }

    /// <summary>A GBNF grammar constraining the output (root rule "root").</summary>
    public string? Grammar { get; set; }

    /// <summary>A JSON schema; converted to GBNF by <see cref="JsonSchemaGrammar"/>. Ignored when <see cref="Grammar"/> is set.</summary>
    public string? JsonSchema { get; set; }

    /// <summary>Greedy settings: temperature 0, everything else off.</summary>
    public static SamplingOptions Greedy => new() { Temperature = 0, TopK = 0, TopP = 1, MinP = 0 };

    /// <summary>Throws for invalid values.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(TopK);
        if (TopP is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "TopP must be in (0, 1].");
        }

        if (MinP is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinP), MinP, "MinP must be in [0, 1].");
        }

        if (RepeatPenalty <= 0 || !float.IsFinite(RepeatPenalty))
        {
            throw new ArgumentOutOfRangeException(nameof(RepeatPenalty), RepeatPenalty, "RepeatPenalty must be > 0 (1 = off).");
        }

        if (!float.IsFinite(FrequencyPenalty) || !float.IsFinite(PresencePenalty) || float.IsNaN(Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(FrequencyPenalty), "Penalties and temperature must be finite.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(PenaltyLastN, -1);
    }
}
