namespace Rag.Agents.Pal;

/// <summary>Why a PAL program did not return a value.</summary>
public enum PalErrorKind
{
    /// <summary>The program does not parse.</summary>
    Syntax,

    /// <summary>The program threw (a JavaScript error, or a reference to something the sandbox does not offer).</summary>
    Runtime,

    /// <summary>The program defines no <c>function solution()</c>, or it returned <c>undefined</c>.</summary>
    NoSolution,

    /// <summary>The wall-clock limit was hit.</summary>
    Timeout,

    /// <summary>The memory limit was hit.</summary>
    Memory,

    /// <summary>The statement limit was hit.</summary>
    Statements,

    /// <summary>The recursion limit was hit.</summary>
    Recursion,

    /// <summary>The program is too long or nests too deep to parse safely.</summary>
    TooLarge,

    /// <summary>The worker process failed in a way it did not report (crash, kill).</summary>
    Worker,
}

/// <summary>The outcome of running one PAL program.</summary>
/// <param name="Value">The value <c>solution()</c> returned, as text (objects as JSON); null on error.</param>
/// <param name="Error">Why it failed; null on success.</param>
/// <param name="ErrorKind">The kind of failure; null on success.</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
public sealed record PalExecutionResult(string? Value, string? Error, PalErrorKind? ErrorKind, TimeSpan Elapsed)
{
    /// <summary>True when the program returned a value.</summary>
    public bool Succeeded => Error is null;

    /// <summary>The <c>rag pal exec</c> line: <c>result: VALUE</c> or <c>error: REASON</c>.</summary>
    public override string ToString() => Succeeded ? "result: " + Value : "error: " + Error;

    internal static PalExecutionResult Success(string value, TimeSpan elapsed) => new(value, null, null, elapsed);

    internal static PalExecutionResult Failure(PalErrorKind kind, string error, TimeSpan elapsed) => new(null, error, kind, elapsed);
}
