namespace Rag.Agents.Pal;

/// <summary>Runs a PAL program (JavaScript defining <c>function solution()</c>) within limits and returns its value.</summary>
public interface IPalSandbox
{
    /// <summary>Runs <paramref name="program"/> and returns what <c>solution()</c> returned, or why it did not.</summary>
    /// <remarks>Never throws for anything the program does; only <paramref name="cancellationToken"/> ends it early.</remarks>
    Task<PalExecutionResult> ExecuteAsync(string program, CancellationToken cancellationToken = default);
}
