using Microsoft.Extensions.AI;
using Rag.Agents.Pal;
using Rag.Agents.React;

namespace Rag.Agents.Tests.React;

/// <summary>The ReAct loop over recorded model transcripts: dispatch, observations, the step limit, timeouts and the trace.</summary>
public class ReActLoopTests
{
    private static readonly AIFunction Lookup = AIFunctionFactory.Create((string city) => city == "Paris" ? "France" : "unknown", "lookup", "Country of a city.");

    [Fact]
    public async Task Tools_are_dispatched_and_observations_fed_back_until_the_final_answer()
    {
        var chat = new RecordedChatClient(
            "Thought: I need the country\nAction: lookup[Paris]",
            "Thought: now compute\nAction: calculator[(16 - 3 - 4) * 2]",
            "Thought: I know the answer\nFinal Answer: France, 18");
        var agent = new ReActAgent(chat, [Lookup, ReActTools.Calculator()]);

        var result = await agent.RunAsync("Where is Paris, and what is (16-3-4)*2?");

        Assert.Equal(ReActStopReason.FinalAnswer, result.StopReason);
        Assert.Equal("France, 18", result.Answer);
        Assert.Equal(3, result.Steps.Count);
        Assert.Equal(("lookup", "Paris", "France"), (result.Steps[0].Action, result.Steps[0].ActionInput, result.Steps[0].Observation));
        Assert.Equal(("calculator", "18"), (result.Steps[1].Action, result.Steps[1].Observation));
        Assert.All(result.Steps, s => Assert.True(s.Parsed));
        // The observation of each step is in the next call's prompt, and every call carries the step grammar.
        Assert.Equal("Observation: France", chat.Calls[1].Messages[^1].Text);
        Assert.Equal("Observation: 18", chat.Calls[2].Messages[^1].Text);
        Assert.All(chat.Calls, c => Assert.Equal(agent.Grammar, c.Options!.AdditionalProperties![ReActAgent.GrammarProperty]));
        Assert.Contains("\"lookup\" | \"calculator\"", agent.Grammar, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_step_limit_stops_a_model_that_never_answers()
    {
        var chat = new RecordedChatClient(Enumerable.Repeat("Thought: look again\nAction: lookup[Lyon]", 10).ToArray());
        var agent = new ReActAgent(chat, [Lookup], new ReActOptions { MaxSteps = 3 });

        var result = await agent.RunAsync("Where is Lyon?");

        Assert.Equal(ReActStopReason.MaxSteps, result.StopReason);
        Assert.Null(result.Answer);
        Assert.Equal(3, result.Steps.Count);
        Assert.Equal(3, chat.Calls.Count);
        Assert.Equal([1, 2, 3], result.Steps.Select(s => s.Number));
    }

    [Fact]
    public async Task A_tool_that_hangs_is_cancelled_at_its_timeout_and_the_loop_goes_on()
    {
        var cancelled = false;
        var hang = AIFunctionFactory.Create(async (string input, CancellationToken ct) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                throw;
            }

            return "never";
        }, "hang", "Never returns.");
        var stubborn = AIFunctionFactory.Create((string input) => new TaskCompletionSource<string>().Task, "stubborn", "Ignores cancellation.");
        var chat = new RecordedChatClient(
            "Thought: try it\nAction: hang[x]",
            "Thought: try the other\nAction: stubborn[y]",
            "Thought: give up\nFinal Answer: unknown");
        var agent = new ReActAgent(chat, [hang, stubborn], new ReActOptions { ToolTimeoutMs = 100 });

        var result = await agent.RunAsync("q?");

        Assert.True(result.Steps[0].TimedOut);
        Assert.True(cancelled, "the tool's token was cancelled");
        Assert.Equal("error: tool 'hang' timed out after 100 ms", result.Steps[0].Observation);
        Assert.True(result.Steps[1].TimedOut, "a tool that ignores its token is abandoned at the deadline");
        Assert.Equal("unknown", result.Answer);
    }

    [Fact]
    public async Task Unparseable_steps_unknown_tools_and_tool_errors_become_observations()
    {
        var chat = new RecordedChatClient(
            "Once upon a time there was a cat.",
            "Thought: use a tool\nAction: teleport[home]",
            "Thought: compute\nAction: calculator[2 +* 3]",
            "Thought: done\nFinal Answer: 5");
        var agent = new ReActAgent(chat, [ReActTools.Calculator()], new ReActOptions { UseGrammar = false });

        var result = await agent.RunAsync("2+3?");

        Assert.False(result.Steps[0].Parsed);
        Assert.StartsWith("error: the step did not follow the format", result.Steps[0].Observation, StringComparison.Ordinal);
        Assert.Equal("error: unknown tool 'teleport'; the tools are calculator", result.Steps[1].Observation);
        Assert.True(result.Steps[2].ToolFailed);
        Assert.StartsWith("error: tool 'calculator' failed:", result.Steps[2].Observation, StringComparison.Ordinal);
        Assert.Equal("5", result.Answer);
        Assert.Null(chat.Calls[0].Options!.AdditionalProperties);
    }

    [Fact]
    public async Task The_pal_tool_runs_the_models_program_in_the_sandbox()
    {
        // One recorded transcript shared by both models: the ReAct steps and the PAL program.
        var palChat = new RecordedChatClient("```javascript\nfunction solution() { return 16 - 3 - 4; }\n```");
        var pal = new PalAgent(palChat, new JintPalSandbox());
        var chat = new RecordedChatClient("Thought: a word problem\nAction: pal[Janet has 16 eggs, eats 3, bakes 4. How many left?]", "Thought: ok\nFinal Answer: 9");
        var agent = new ReActAgent(chat, [ReActTools.Pal(pal)]);

        var result = await agent.RunAsync("How many eggs are left?");

        Assert.Equal("9", result.Steps[0].Observation);
        Assert.Equal("9", result.Answer);
    }

    [Theory]
    [InlineData("1 + 2 * 3", 7)]
    [InlineData("(16 - 3 - 4) * 2", 18)]
    [InlineData("2 ^ 3 ^ 2", 512)]
    [InlineData("-4 + 10 / 4", -1.5)]
    [InlineData("1,000 * 3", 3000)]
    [InlineData("17 % 5", 2)]
    public async Task Calculator_evaluates_arithmetic(string expression, double expected)
    {
        var value = await ReActTools.Calculator().InvokeAsync(new AIFunctionArguments { ["expression"] = expression });
        Assert.Equal(expected, double.Parse(value!.ToString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Tool_names_must_be_unique_and_fit_the_format()
    {
        Assert.Throws<ArgumentException>(() => new ReActAgent(new RecordedChatClient(), [Lookup, Lookup]));
        Assert.Throws<ArgumentException>(() => new ReActAgent(new RecordedChatClient(), []));
        Assert.Throws<ArgumentException>(() => new ReActAgent(new RecordedChatClient(), [AIFunctionFactory.Create(() => 1, "bad name", "x")]));
    }
}
