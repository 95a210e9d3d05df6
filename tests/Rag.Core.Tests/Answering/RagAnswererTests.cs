using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Rag.Core.Answering;
using Rag.Core.Answering.Internal;
using Rag.Core.Documents;

namespace Rag.Core.Tests.Answering;

public class RagAnswererTests
{
    [Theory]
    [InlineData("Use the flag [2]. See also [1] and [2].", 3, new[] { 2, 1 })]
    [InlineData("Both say so [1, 3].", 3, new[] { 1, 3 })]
    [InlineData("Out of range [7] and [0] are dropped, [2] kept.", 3, new[] { 2 })]
    [InlineData("No citations here.", 3, new int[0])]
    public void ExtractCitations_finds_numbers_within_range(string text, int sources, int[] expected) =>
        Assert.Equal(expected, RagAnswerer.ExtractCitations(text, sources));

    [Fact]
    public void Prompt_numbers_sources_in_order_and_cuts_long_text()
    {
        var chunks = new[]
        {
            (new Chunk("a#0", "a", 0, "Install with apt.", 0, 17) { Title = "Install" }, 2.5f),
            (new Chunk("b#0", "b", 0, string.Join(' ', Enumerable.Repeat("word", 400)), 0, 1999), 1.5f),
        };
        var answerer = new RagAnswerer(new UnusedChatClient(), new AnswerOptions { MaxSources = 2, MaxSourceCharacters = 100 });
        var sources = answerer.SelectSources(chunks);
        var messages = answerer.BuildMessages("How do I install it?", sources);

        Assert.Equal([1, 2], sources.Select(s => s.Number));
        var system = messages[0].Text;
        Assert.Contains("[1] Install: Install with apt.", system, StringComparison.Ordinal);
        Assert.True(system.IndexOf("\n[1]", StringComparison.Ordinal) < system.IndexOf("\n[2]", StringComparison.Ordinal));
        var second = system[(system.IndexOf("\n[2]", StringComparison.Ordinal) + 1)..];
        Assert.True(second.Length < 120, "a long source is cut to MaxSourceCharacters");
        Assert.Equal("How do I install it?", messages[1].Text);
    }

    [Theory]
    [InlineData(520, 100)]
    [InlineData(700, 200)]
    [InlineData(1500, 256)]
    [InlineData(4096, 512)]
    public void Long_sources_never_exceed_the_token_budget(int contextTokens, int maxOutput)
    {
        var words = string.Join(' ', Enumerable.Range(0, 3000).Select(i => "token" + i));
        var chunks = Enumerable.Range(0, 5).Select(i => (new Chunk($"d{i}#0", $"d{i}", 0, words, 0, words.Length) { Title = $"Doc {i}" }, 1f - (i / 10f)));
        var options = new AnswerOptions { ContextTokens = contextTokens, MaxOutputTokens = maxOutput, MaxSources = 5, MaxSourceCharacters = 100_000 };
        var answerer = new RagAnswerer(new UnusedChatClient(), options);

        var prompt = answerer.BuildPrompt("Which token comes after token41?", answerer.SelectSources(chunks));

        var counter = Utf8ByteTokenCounter.Instance;
        int counted = prompt.Messages.Sum(m => counter.CountTokens(m.Text)) + options.PromptOverheadTokens;
        Assert.Equal(contextTokens - maxOutput, prompt.PromptBudget);
        Assert.True(counted <= prompt.PromptBudget, $"{counted} prompt tokens > budget {prompt.PromptBudget}");
        Assert.True(prompt.PromptTokens <= prompt.PromptBudget);
        Assert.NotEmpty(prompt.Sources);
        Assert.EndsWith(" …", prompt.Sources[^1].PromptText, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(1, prompt.Sources.Count), prompt.Sources.Select(s => s.Number));
        // The budget is used, not wasted: less than one source's worth of tokens is left over.
        Assert.True(prompt.PromptBudget - counted < 64, $"{prompt.PromptBudget - counted} tokens unused");
    }

    [Fact]
    public void A_question_too_long_for_the_budget_is_refused()
    {
        var answerer = new RagAnswerer(new UnusedChatClient(), new AnswerOptions { ContextTokens = 300, MaxOutputTokens = 100 });
        var ex = Assert.Throws<ArgumentException>(() => answerer.BuildPrompt(new string('x', 400), []));
        Assert.Contains("ContextTokens", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streamed_citations_naming_no_source_are_dropped_and_reported()
    {
        // The model's reply arrives in pieces that split citations across updates.
        var chat = new ScriptedChatClient("Keep 14 daily snapshots [", "1]. Older ones go [3", ", 2]; see [9] and [0", "] or [x] [2].");
        var answerer = new RagAnswerer(chat, new AnswerOptions { MinRelevance = 0 });
        var prompt = await answerer.PrepareAsync("How many daily snapshots are kept?", TwoSources());

        var shown = new List<string>();
        var dropped = new List<int>();
        await foreach (var d in answerer.StreamAsync(prompt))
        {
            shown.Add(d.Text);
            dropped.AddRange(d.DroppedCitations);
        }

        var text = string.Concat(shown);
        Assert.Equal("Keep 14 daily snapshots [1]. Older ones go [2]; see  and  or [x] [2].", text);
        Assert.Equal([3, 9, 0], dropped);
        Assert.All(RagAnswerer.ExtractCitations(text, 99), n => Assert.InRange(n, 1, prompt.Sources.Count));

        var answer = await answerer.AnswerAsync(prompt);
        Assert.Equal([3, 9, 0], answer.DroppedCitations);
        Assert.Equal([1, 2], answer.CitedNumbers);
        Assert.Equal(text.Trim(), answer.Text);
    }

    [Fact]
    public async Task No_relevant_source_answers_dont_know_without_calling_the_model()
    {
        var answerer = new RagAnswerer(new UnusedChatClient(), new AnswerOptions { MinRelevance = 0.5 });
        var irrelevant = new[] { (new Chunk("z#0", "z", 0, "Penguins huddle together in the Antarctic winter.", 0, 49), 3.2f) };

        var prompt = await answerer.PrepareAsync("How many daily snapshots does Driftwood keep?", irrelevant);
        var answer = await answerer.AnswerAsync(prompt);
        var none = await answerer.AnswerAsync(await answerer.PrepareAsync("How many daily snapshots does Driftwood keep?", []));

        Assert.True(prompt.IsNoAnswer);
        Assert.Equal(1, prompt.OmittedChunks);
        Assert.True(answer.IsNoAnswer);
        Assert.StartsWith("I don't know", answer.Text, StringComparison.Ordinal);
        Assert.Empty(answer.CitedNumbers);
        Assert.True(none.IsNoAnswer);
    }

    [Fact]
    public async Task Relevant_sources_pass_the_threshold_and_irrelevant_ones_are_left_out()
    {
        var answerer = new RagAnswerer(new ScriptedChatClient("It keeps 14 [1]."), new AnswerOptions { MinRelevance = 0.5 });
        var hits = TwoSources().Append((new Chunk("z#0", "z", 0, "Penguins huddle in winter.", 0, 26), 0.1f)).ToList();

        var prompt = await answerer.PrepareAsync("How many daily snapshots are kept?", hits);

        Assert.Equal(["configuration#3"], prompt.Sources.Select(s => s.Chunk.Id));
        Assert.Equal(2, prompt.OmittedChunks);
        Assert.True(prompt.Sources[0].Relevance >= 0.5);
    }

    [Fact]
    public async Task Extractive_answer_finds_the_retention_sentence_with_its_citation_and_span()
    {
        var extractive = new ExtractiveAnswerer(embedder: null);
        var sources = TwoSources().Select((h, i) => new AnswerSource(i + 1, h.Chunk, h.Score)).Reverse().Select((s, i) => s with { Number = i + 1 }).ToList();

        var answer = await extractive.AnswerAsync("How long does Driftwood keep daily snapshots?", sources);

        var best = answer.Sentences[0];
        Assert.Contains("14 daily", best.Text, StringComparison.Ordinal);
        var source = sources.Single(s => s.Number == best.SourceNumber);
        Assert.Equal("configuration#3", source.Chunk.Id);
        Assert.Equal(best.Text, source.Chunk.Text.Substring(best.Start, best.Length));
        Assert.Equal(source.Chunk.Start + best.Start, best.DocumentStart);
        Assert.Null(best.Semantic);
        Assert.False(extractive.UsesEmbeddings);
        Assert.StartsWith(best.Text + " [" + best.SourceNumber + "]", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_fail_at_construction()
    {
        Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(
            () => new RagAnswerer(new UnusedChatClient(), new AnswerOptions { MaxSources = 0 }));
        Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(
            () => new RagAnswerer(new UnusedChatClient(), new AnswerOptions { ContextTokens = 256, MaxOutputTokens = 256 }));
    }

    private static List<(Chunk Chunk, float Score)> TwoSources() =>
    [
        (new Chunk("configuration#3", "configuration", 3,
            "Retention decides which snapshots are kept when `driftwood prune` runs. The defaults keep 24 hourly, 14 daily,\n" +
            "8 weekly and 12 monthly snapshots. A snapshot is kept if any rule selects it. Pruning never deletes the most\nrecent snapshot.", 1200, 240)
        { Title = "Configuration" }, 2f),
        (new Chunk("installation#0", "installation", 0,
            "Install Driftwood with the package manager of your system. The daemon starts at boot and runs a first backup within an hour.", 0, 130)
        { Title = "Installation" }, 1f),
    ];

    /// <summary>Replays a recorded reply in the given pieces, as a streaming model would.</summary>
    private sealed class ScriptedChatClient(params string[] pieces) : IChatClient
    {
        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            new(new ChatMessage(ChatRole.Assistant, string.Concat(pieces)));

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var p in pieces)
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, p);
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>Prompt building never calls the model; this client fails if it is called.</summary>
    private sealed class UnusedChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("not expected");

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("not expected");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
