using Rag.Core.Answering;
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

    [Fact]
    public void Invalid_options_fail_at_construction() =>
        Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(
            () => new RagAnswerer(new UnusedChatClient(), new AnswerOptions { MaxSources = 0 }));

    /// <summary>Prompt building never calls the model; this client fails if it is called.</summary>
    private sealed class UnusedChatClient : Microsoft.Extensions.AI.IChatClient
    {
        public Task<Microsoft.Extensions.AI.ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("not expected");

        public IAsyncEnumerable<Microsoft.Extensions.AI.ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("not expected");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
