using Rag.Agents.React;
using Rag.Model;
using Rag.Model.Chat;
using Rag.Model.Native;
using Rag.Model.Serving;

namespace Rag.Agents.Tests.React;

/// <summary>The step grammar with stories260K, a model that knows nothing about tools: every step must parse.</summary>
public sealed class ReActGrammarTests : IDisposable
{
    private readonly LlamaModel _model;
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public ReActGrammarTests(Xunit.Abstractions.ITestOutputHelper output)
    {
        _output = output;
        LlamaBackend.Initialize();
        _model = LlamaModel.Load(TestModels.Stories260K);
    }

    public void Dispose() => _model.Dispose();

    [Fact]
    [Trait("Category", "Slow")]
    public Task Every_step_of_50_runs_with_stories260K_is_parseable() => RunAsync(50);

    [Fact]
    public Task Every_step_of_10_runs_with_stories260K_is_parseable() => RunAsync(10);

    private async Task RunAsync(int runs)
    {
        using var chat = new LlamaChatClient(new LlamaBatchScheduler(_model, new LlamaSchedulerOptions { ContextSize = 2048, MaxSequences = 1, Threads = 1 }), ownsScheduler: true);
        var tools = new[] { ReActTools.Calculator(), Microsoft.Extensions.AI.AIFunctionFactory.Create((string query) => "Lily found a ball in the park.", "search", "Search the stories.") };
        var questions = new[] { "What did Lily find in the park?", "What is 3 + 4?", "Who is Tom?", "Where is the dog?", "How many apples are there?" };
        int steps = 0, parsed = 0, finals = 0, actions = 0;
        for (int run = 0; run < runs; run++)
        {
            var agent = new ReActAgent(chat, tools, new ReActOptions { MaxSteps = 3, Temperature = 0.8f, Seed = run * 7919, MaxThoughtCharacters = 32, MaxInputCharacters = 24 });
            var result = await agent.RunAsync(questions[run % questions.Length]);
            foreach (var step in result.Steps)
            {
                steps++;
                parsed += step.Parsed ? 1 : 0;
                finals += step.FinalAnswer is not null ? 1 : 0;
                actions += step.Action is not null ? 1 : 0;
                Assert.True(step.Parsed, $"run {run} step {step.Number} did not parse: {step.Output}");
            }
        }

        _output.WriteLine($"{runs} runs: {steps} steps, {parsed} parsed, {actions} actions, {finals} final answers");
        Assert.Equal(steps, parsed);
        Assert.True(steps >= runs);
        Assert.Equal(steps, finals + actions);
    }
}
