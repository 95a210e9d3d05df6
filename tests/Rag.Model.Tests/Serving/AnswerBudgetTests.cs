using Rag.Core.Answering;
using Rag.Core.Documents;
using Rag.Model.Chat;
using Rag.Model.Inference;
using Rag.Model.Serving;

namespace Rag.Model.Tests.Serving;

/// <summary>The answerer's token budget against the real model: the chat client's own count of the templated prompt.</summary>
public class AnswerBudgetTests(Stories260KFixture fx) : IClassFixture<Stories260KFixture>
{
    [Theory]
    [InlineData(512, 64)]
    [InlineData(1024, 128)]
    public async Task Long_sources_fit_the_budget_as_the_model_counts_the_templated_prompt(int contextTokens, int maxOutput)
    {
        // Five sources of ~20,000 characters each: far more than any of these contexts holds.
        var story = string.Join(' ', Enumerable.Repeat("Lily and Tom went to the park to play with a big red ball.", 350));
        var hits = Enumerable.Range(0, 5).Select(i => (new Chunk($"s{i}#0", $"s{i}", 0, story, 0, story.Length) { Title = $"Story {i}" }, 1f)).ToList();
        var options = new AnswerOptions { ContextTokens = contextTokens, MaxOutputTokens = maxOutput, MaxSources = 5, MaxSourceCharacters = 1_000_000, MinRelevance = 0.1 };
        using var chat = new LlamaChatClient(new LlamaBatchScheduler(fx.Model, new LlamaSchedulerOptions { ContextSize = contextTokens, MaxSequences = 1, Threads = 1 }),
            new LlamaChatClientOptions { DefaultTemperature = 0 }, ownsScheduler: true);
        var answerer = new RagAnswerer(chat, options, tokenCounter: new LlamaTokenCounter(fx.Model));

        var prompt = await answerer.PrepareAsync("What did Lily and Tom play with in the park?", hits);
        var answer = await answerer.AnswerAsync(prompt);

        Assert.NotEmpty(prompt.Sources);
        Assert.True(prompt.Sources.Count < 5, "the sources do not all fit, so packing must have cut");
        Assert.NotNull(answer.PromptTokens);
        Assert.True(answer.PromptTokens <= contextTokens - maxOutput, $"templated prompt {answer.PromptTokens} tokens > budget {contextTokens - maxOutput}");
        Assert.True(answer.PromptTokens > (contextTokens - maxOutput) / 2, $"the budget is used ({answer.PromptTokens} tokens)");
        Assert.All(answer.CitedNumbers, n => Assert.InRange(n, 1, prompt.Sources.Count));
    }
}
