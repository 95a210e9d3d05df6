using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rag.Agents.Pal;

/// <summary>One program the model wrote and what running it gave.</summary>
/// <param name="Program">The program as run (extracted from the model's reply).</param>
/// <param name="Result">The sandbox's result.</param>
/// <param name="Reply">The model's raw reply.</param>
public sealed record PalAttempt(string Program, PalExecutionResult Result, string Reply);

/// <summary>The outcome of a PAL question: the answer (the last successful value) and every attempt.</summary>
/// <param name="Question">The question.</param>
/// <param name="Answer">What <c>solution()</c> returned; null when no attempt succeeded.</param>
/// <param name="Attempts">The first attempt, then each repair.</param>
public sealed record PalAnswer(string Question, string? Answer, IReadOnlyList<PalAttempt> Attempts)
{
    /// <summary>True when a program returned a value.</summary>
    public bool Succeeded => Answer is not null;
}

/// <summary>
/// Program-aided answers (Gao et al., 2023): the model writes JavaScript defining <c>function solution()</c>, the
/// sandbox runs it, and its return value is the answer. When the run fails (syntax, runtime error, limit), the error
/// is fed back to the model for a repair (<see cref="PalAgentOptions.RepairAttempts"/>, default one). The model's
/// code never runs outside <see cref="IPalSandbox"/>.
/// </summary>
public sealed partial class PalAgent
{
    /// <summary>The instruction and worked example the model continues from.</summary>
    public const string Instruction =
        "Solve the problem by writing a JavaScript function named solution that takes no arguments and returns the numeric answer. " +
        "Use only plain JavaScript: no input, no output, no require. Reply with the code only.";

    private const string ExampleQuestion = "Olivia has $23. She bought five bagels for $3 each. How much money does she have left?";

    private const string ExampleProgram = """
        function solution() {
          const moneyInitial = 23;
          const bagels = 5;
          const bagelCost = 3;
          const moneySpent = bagels * bagelCost;
          return moneyInitial - moneySpent;
        }
        """;

    private readonly IChatClient _chat;
    private readonly IPalSandbox _sandbox;
    private readonly PalAgentOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the agent.</summary>
    public PalAgent(IChatClient chat, IPalSandbox sandbox, PalAgentOptions? options = null, ILogger<PalAgent>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(sandbox);
        _chat = chat;
        _sandbox = sandbox;
        _options = options ?? new PalAgentOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Asks the model for a program, runs it, and repairs it once with the error when it fails.</summary>
    public async Task<PalAnswer> SolveAsync(string question, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, Instruction),
            new(ChatRole.User, ExampleQuestion),
            new(ChatRole.Assistant, ExampleProgram),
            new(ChatRole.User, question),
        };
        var attempts = new List<PalAttempt>();
        for (int i = 0; i <= _options.RepairAttempts; i++)
        {
            var reply = (await _chat.GetResponseAsync(messages, new ChatOptions { MaxOutputTokens = _options.MaxOutputTokens, Temperature = _options.Temperature },
                cancellationToken).ConfigureAwait(false)).Text;
            var program = ExtractProgram(reply);
            var result = await _sandbox.ExecuteAsync(program, cancellationToken).ConfigureAwait(false);
            attempts.Add(new PalAttempt(program, result, reply));
            _logger.LogDebug("PAL attempt {Attempt}: {Result}", i + 1, result);
            if (result.Succeeded)
            {
                return new PalAnswer(question, result.Value, attempts);
            }

            messages.Add(new ChatMessage(ChatRole.Assistant, program));
            messages.Add(new ChatMessage(ChatRole.User, RepairPrompt(result)));
        }

        return new PalAnswer(question, null, attempts);
    }

    /// <summary>The message that feeds a failed run's error back to the model.</summary>
    public static string RepairPrompt(PalExecutionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return $"Running that program failed with: {result.Error}. Write the corrected function solution().";
    }

    /// <summary>
    /// The program in a model reply: the first fenced code block if there is one, else the text from
    /// <c>function solution</c> on, else the whole reply.
    /// </summary>
    public static string ExtractProgram(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var fenced = FencedBlock().Match(reply);
        if (fenced.Success)
        {
            return fenced.Groups[1].Value.Trim();
        }

        var start = reply.IndexOf("function solution", StringComparison.Ordinal);
        return (start >= 0 ? reply[start..] : reply).Trim();
    }

    [GeneratedRegex(@"```(?:javascript|js)?[ \t]*\r?\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}
