using Rag.Model.Gguf;

namespace Rag.Tools.Synthetic;

/// <summary>Options for <see cref="LoraAdapterWriter"/>.</summary>
public sealed class LoraAdapterOptions
{
    /// <summary>The default target matrices: every attention and feed-forward projection of a LLaMA block.</summary>
    public static IReadOnlyList<string> DefaultTargets { get; } =
        ["attn_q.weight", "attn_k.weight", "attn_v.weight", "attn_output.weight", "ffn_gate.weight", "ffn_up.weight", "ffn_down.weight"];

    /// <summary>LoRA rank r. Default 4.</summary>
    public int Rank { get; set; } = 4;

    /// <summary>LoRA alpha; llama.cpp scales the update by alpha / r times the user scale. Default: equal to the rank (scale 1).</summary>
    public float? Alpha { get; set; }

    /// <summary>Seed of the random A and B matrices. Default 7.</summary>
    public ulong Seed { get; set; } = 7;

    /// <summary>Standard deviation of A and B. Both are non-zero (unlike a freshly initialized LoRA, where B = 0), so the adapter changes the output. Default 0.1.</summary>
    public float Std { get; set; } = 0.1f;

    /// <summary>Tensor name suffixes to adapt (matched against the base model's 2-D tensors). Default <see cref="DefaultTargets"/>.</summary>
    public IReadOnlyList<string> Targets { get; set; } = DefaultTargets;

    /// <summary>Type of the A and B tensors: F32 (default) or F16.</summary>
    public GgmlType WeightType { get; set; } = GgmlType.F32;

    /// <summary>Written as <c>general.name</c>.</summary>
    public string Name { get; set; } = "synthetic-lora";

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> naming the problem.</summary>
    public void Validate()
    {
        if (Rank is <= 0 or > 4096)
        {
            throw new ArgumentException($"Rank must be 1..4096, was {Rank}.");
        }

        if (Alpha is { } a && !(a > 0))
        {
            throw new ArgumentException($"Alpha must be positive, was {a}.");
        }

        if (!(Std > 0 && Std < 10))
        {
            throw new ArgumentException($"Std must be in (0, 10), was {Std}.");
        }

        if (Targets is null || Targets.Count == 0)
        {
            throw new ArgumentException("Targets must name at least one tensor suffix.");
        }

        if (WeightType is not (GgmlType.F32 or GgmlType.F16))
        {
            throw new ArgumentException($"WeightType must be F32 or F16, was {WeightType}.");
        }
    }
}
