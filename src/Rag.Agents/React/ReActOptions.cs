using System.ComponentModel.DataAnnotations;

namespace Rag.Agents.React;

/// <summary>Settings of <see cref="ReActAgent"/> (section <c>Rag:Agents:React</c>).</summary>
public sealed class ReActOptions
{
    /// <summary>Most Thought/Action/Observation steps before the agent gives up. Default 6.</summary>
    [Range(1, 100)]
    public int MaxSteps { get; set; } = 6;

    /// <summary>Time one tool call may take, in milliseconds; a slower call is cancelled and observed as an error. Default 10,000.</summary>
    [Range(1, 3_600_000)]
    public int ToolTimeoutMs { get; set; } = 10_000;

    /// <summary>Longest thought, in characters (the grammar bounds it, so a step always ends). Default 64.</summary>
    [Range(8, 4096)]
    public int MaxThoughtCharacters { get; set; } = 64;

    /// <summary>Longest action input or final answer, in characters. Default 64.</summary>
    [Range(8, 4096)]
    public int MaxInputCharacters { get; set; } = 64;

    /// <summary>Longest observation put back into the prompt, in characters. Default 600.</summary>
    [Range(16, 100_000)]
    public int MaxObservationCharacters { get; set; } = 600;

    /// <summary>Sampling temperature; 0 is greedy. Default 0.</summary>
    [Range(0.0, 5.0)]
    public float Temperature { get; set; }

    /// <summary>Sampling seed; null for the client's default.</summary>
    public long? Seed { get; set; }

    /// <summary>
    /// Send the step grammar (GBNF) to the chat client, under <see cref="ReActAgent.GrammarProperty"/> in
    /// <c>ChatOptions.AdditionalProperties</c> (the llama.cpp chat client honours it). Default true.
    /// </summary>
    public bool UseGrammar { get; set; } = true;

    /// <summary>Throws <see cref="ValidationException"/> when a value is out of range.</summary>
    public void Validate() => Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
}
