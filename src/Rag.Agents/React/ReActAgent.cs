using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Agents.React.Internal;

namespace Rag.Agents.React;

/// <summary>
/// A ReAct agent (Yao et al., 2023): the model writes a Thought and then an Action on one of the registered tools, the
/// agent runs the tool and shows the Observation, and the loop goes on until the model writes a Final Answer or
/// <see cref="ReActOptions.MaxSteps"/> is reached. Each step is constrained by a GBNF grammar (sent to the chat client
/// under <see cref="GrammarProperty"/>), so even a model that knows nothing emits a parseable step; the tool names are
/// part of the grammar. Tools are <see cref="AIFunction"/>s (Semantic Kernel functions convert with <c>AsAIFunction()</c>);
/// each call is cancelled at <see cref="ReActOptions.ToolTimeoutMs"/>, and every step is returned in the trace.
/// </summary>
public sealed class ReActAgent
{
    /// <summary>The <c>ChatOptions.AdditionalProperties</c> key that carries a GBNF grammar to the chat client.</summary>
    public const string GrammarProperty = "grammar";

    private readonly IChatClient _chat;
    private readonly Dictionary<string, AIFunction> _tools;
    private readonly ReActOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the agent over a chat client and its tools.</summary>
    /// <exception cref="ArgumentException">No tools, or two with one name, or a name the step format cannot carry.</exception>
    public ReActAgent(IChatClient chat, IEnumerable<AIFunction> tools, ReActOptions? options = null, ILogger<ReActAgent>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(tools);
        _chat = chat;
        _options = options ?? new ReActOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _tools = new Dictionary<string, AIFunction>(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(tool.Name, "^[A-Za-z_][A-Za-z0-9_-]*$"))
            {
                throw new ArgumentException($"Tool name '{tool.Name}' must be letters, digits, '_' or '-'.", nameof(tools));
            }

            if (!_tools.TryAdd(tool.Name, tool))
            {
                throw new ArgumentException($"Two tools are named '{tool.Name}'.", nameof(tools));
            }
        }

        if (_tools.Count == 0)
        {
            throw new ArgumentException("A ReAct agent needs at least one tool.", nameof(tools));
        }

        Grammar = ReActFormat.Grammar([.. _tools.Keys], _options.MaxThoughtCharacters, _options.MaxInputCharacters);
    }

    /// <summary>The GBNF grammar of one step.</summary>
    public string Grammar { get; }

    /// <summary>The registered tool names.</summary>
    public IReadOnlyCollection<string> ToolNames => _tools.Keys;

    /// <summary>The system prompt: the format and the tools.</summary>
    public string Instructions
    {
        get
        {
            var sb = new StringBuilder("Answer the question. Think step by step, using these tools:\n");
            foreach (var t in _tools.Values)
            {
                sb.Append("- ").Append(t.Name).Append(": ").Append(t.Description).Append('\n');
            }

            sb.Append("Write each step as\nThought: what to do next\nAction: tool[input]\n")
              .Append("and you will see the Observation. When you know the answer, write\nThought: I know the answer\nFinal Answer: the answer");
            return sb.ToString();
        }
    }

    /// <summary>Runs the loop for <paramref name="question"/>.</summary>
    public async Task<ReActResult> RunAsync(string question, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        var messages = new List<ChatMessage> { new(ChatRole.System, Instructions), new(ChatRole.User, "Question: " + question) };
        var steps = new List<ReActStep>();
        for (int n = 1; n <= _options.MaxSteps; n++)
        {
            var output = (await _chat.GetResponseAsync(messages, ChatOptions(n), cancellationToken).ConfigureAwait(false)).Text.Trim();
            messages.Add(new ChatMessage(ChatRole.Assistant, output));
            if (!ReActFormat.TryParse(output, out var thought, out var action, out var input, out var answer))
            {
                const string Hint = "error: the step did not follow the format 'Thought: ...' then 'Action: tool[input]' or 'Final Answer: ...'";
                steps.Add(new ReActStep(n, output) { Parsed = false, Observation = Hint, ToolFailed = true });
                messages.Add(new ChatMessage(ChatRole.User, "Observation: " + Hint));
                _logger.LogDebug("ReAct step {Step} did not parse", n);
                continue;
            }

            if (answer is not null)
            {
                steps.Add(new ReActStep(n, output) { Parsed = true, Thought = thought, FinalAnswer = answer });
                return new ReActResult(question, answer, ReActStopReason.FinalAnswer, steps);
            }

            var step = await CallToolAsync(n, output, thought, action!, input!, cancellationToken).ConfigureAwait(false);
            steps.Add(step);
            messages.Add(new ChatMessage(ChatRole.User, "Observation: " + step.Observation));
        }

        return new ReActResult(question, null, ReActStopReason.MaxSteps, steps);
    }

    private ChatOptions ChatOptions(int step)
    {
        var maxChars = ReActFormat.MaxStepCharacters([.. _tools.Keys], _options.MaxThoughtCharacters, _options.MaxInputCharacters);
        var options = new ChatOptions
        {
            // A token is at least one character, so the grammar's longest step always fits.
            MaxOutputTokens = maxChars + 8,
            Temperature = _options.Temperature,
            Seed = _options.Seed is long seed ? seed + step : null,
        };
        if (_options.UseGrammar)
        {
            options.AdditionalProperties = new AdditionalPropertiesDictionary { [GrammarProperty] = Grammar };
        }

        return options;
    }

    private async Task<ReActStep> CallToolAsync(int n, string output, string thought, string action, string input, CancellationToken cancellationToken)
    {
        var step = new ReActStep(n, output) { Parsed = true, Thought = thought, Action = action, ActionInput = input };
        if (!_tools.TryGetValue(action, out var tool))
        {
            return step with { Observation = $"error: unknown tool '{action}'; the tools are {string.Join(", ", _tools.Keys)}", ToolFailed = true };
        }

        var watch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ToolTimeoutMs);
        try
        {
            var call = tool.InvokeAsync(Arguments(tool, input), timeout.Token).AsTask();
            // A tool that ignores its token still cannot hold the loop: stop waiting at the deadline.
            var finished = await Task.WhenAny(call, Task.Delay(Timeout.Infinite, timeout.Token)).ConfigureAwait(false);
            if (finished != call)
            {
                _ = call.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                throw new OperationCanceledException(timeout.Token);
            }

            var result = await call.ConfigureAwait(false);
            return step with { Observation = Clip(Render(result)), ToolElapsed = watch.Elapsed };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.LogInformation("Tool {Tool} timed out after {Timeout} ms", action, _options.ToolTimeoutMs);
            return step with
            {
                Observation = string.Create(CultureInfo.InvariantCulture, $"error: tool '{action}' timed out after {_options.ToolTimeoutMs} ms"),
                ToolFailed = true,
                TimedOut = true,
                ToolElapsed = watch.Elapsed,
            };
        }
#pragma warning disable CA1031 // a failing tool is an observation for the model, not a failure of the agent
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return step with { Observation = Clip($"error: tool '{action}' failed: {ex.Message}"), ToolFailed = true, ToolElapsed = watch.Elapsed };
        }
    }

    // The step format carries one string; it goes to the tool's only (or first required) parameter, else to "input".
    private static AIFunctionArguments Arguments(AIFunction tool, string input)
    {
        var name = "input";
        if (tool.JsonSchema.ValueKind == JsonValueKind.Object && tool.JsonSchema.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
        {
            var names = props.EnumerateObject().Select(p => p.Name).ToList();
            if (tool.JsonSchema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array && required.GetArrayLength() > 0)
            {
                name = required[0].GetString() ?? name;
            }
            else if (names.Count > 0)
            {
                name = names[0];
            }
        }

        return new AIFunctionArguments { [name] = input };
    }

    private static string Render(object? result) => result switch
    {
        null => "(no result)",
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? string.Empty,
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(result),
    };

    private string Clip(string text)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= _options.MaxObservationCharacters ? flat : string.Concat(flat.AsSpan(0, _options.MaxObservationCharacters), " …");
    }
}
