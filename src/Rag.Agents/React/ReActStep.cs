namespace Rag.Agents.React;

/// <summary>One Thought/Action/Observation step of a ReAct run, as the trace records it.</summary>
/// <param name="Number">1-based step number.</param>
/// <param name="Output">The model's raw output for the step.</param>
public sealed record ReActStep(int Number, string Output)
{
    /// <summary>True when <see cref="Output"/> followed the step format.</summary>
    public bool Parsed { get; init; }

    /// <summary>The thought.</summary>
    public string? Thought { get; init; }

    /// <summary>The tool called; null for a final answer or an unparseable step.</summary>
    public string? Action { get; init; }

    /// <summary>The tool's input.</summary>
    public string? ActionInput { get; init; }

    /// <summary>The final answer, when this step gave one.</summary>
    public string? FinalAnswer { get; init; }

    /// <summary>What the tool returned (or the error), as shown to the model.</summary>
    public string? Observation { get; init; }

    /// <summary>True when the tool call failed, timed out or named an unknown tool.</summary>
    public bool ToolFailed { get; init; }

    /// <summary>True when the tool call was cancelled at <see cref="ReActOptions.ToolTimeoutMs"/>.</summary>
    public bool TimedOut { get; init; }

    /// <summary>Time the tool call took.</summary>
    public TimeSpan ToolElapsed { get; init; }
}

/// <summary>Why a ReAct run stopped.</summary>
public enum ReActStopReason
{
    /// <summary>The model gave a final answer.</summary>
    FinalAnswer,

    /// <summary><see cref="ReActOptions.MaxSteps"/> steps ran without a final answer.</summary>
    MaxSteps,
}

/// <summary>The result of a ReAct run: the answer, why it stopped, and the full trace.</summary>
/// <param name="Question">The question.</param>
/// <param name="Answer">The final answer; null when the run stopped without one.</param>
/// <param name="StopReason">Why the run stopped.</param>
/// <param name="Steps">Every step, in order.</param>
public sealed record ReActResult(string Question, string? Answer, ReActStopReason StopReason, IReadOnlyList<ReActStep> Steps);
