namespace Rag.Host.Cli;

/// <summary>Parsed arguments of <c>rag models lora</c>.</summary>
internal sealed record LoraCommandArguments
{
    /// <summary><c>--base</c>: the base model the adapter is for.</summary>
    public required string BaseModelPath { get; init; }

    /// <summary><c>--out</c>: the adapter file to write.</summary>
    public required string OutputPath { get; init; }

    /// <summary><c>--rank</c> (default 4).</summary>
    public int Rank { get; init; } = 4;

    /// <summary><c>--alpha</c> (default: the rank).</summary>
    public float? Alpha { get; init; }

    /// <summary><c>--seed</c> (default 7).</summary>
    public ulong Seed { get; init; } = 7;

    /// <summary><c>--std</c> of A and B (default 0.1).</summary>
    public float? Std { get; init; }

    /// <summary><c>--targets</c>: comma-separated tensor suffixes (default: all attention and FFN projections).</summary>
    public string? Targets { get; init; }
}
