using System.ComponentModel.DataAnnotations;

namespace Rag.Agents.Pal;

/// <summary>Settings of <see cref="PalAgent"/> (section <c>Rag:Agents:Pal</c>).</summary>
public sealed class PalAgentOptions
{
    /// <summary>Most tokens of one generated program. Default 256.</summary>
    [Range(16, 100_000)]
    public int MaxOutputTokens { get; set; } = 256;

    /// <summary>Sampling temperature; 0 is greedy. Default 0.</summary>
    [Range(0.0, 5.0)]
    public float Temperature { get; set; }

    /// <summary>Repair attempts after a failed run, each with the error fed back to the model. Default 1.</summary>
    [Range(0, 5)]
    public int RepairAttempts { get; set; } = 1;

    /// <summary>The sandbox limits.</summary>
    public PalSandboxOptions Sandbox { get; set; } = new();

    /// <summary>Throws <see cref="ValidationException"/> when a value is out of range.</summary>
    public void Validate()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        Sandbox.Validate();
    }
}
