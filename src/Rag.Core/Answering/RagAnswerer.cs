using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Core.Documents;

namespace Rag.Core.Answering;

/// <summary>
/// Turns retrieved chunks into a prompt with numbered sources, streams the model's answer, and extracts its citations.
/// </summary>
public sealed partial class RagAnswerer
{
    private readonly IChatClient _chat;
    private readonly AnswerOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates an answerer over a chat client.</summary>
    public RagAnswerer(IChatClient chat, AnswerOptions? options = null, ILogger<RagAnswerer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(chat);
        _chat = chat;
        _options = options ?? new AnswerOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Numbers the best <see cref="AnswerOptions.MaxSources"/> hits as sources.</summary>
    public IReadOnlyList<AnswerSource> SelectSources(IEnumerable<(Chunk Chunk, float Score)> hits) =>
        hits.Take(_options.MaxSources).Select((h, i) => new AnswerSource(i + 1, h.Chunk, h.Score)).ToList();

    /// <summary>Builds the chat messages: instruction and numbered sources, then the question.</summary>
    public IList<ChatMessage> BuildMessages(string question, IReadOnlyList<AnswerSource> sources)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        var sb = new StringBuilder();
        sb.AppendLine(_options.Instruction).AppendLine();
        foreach (var s in sources)
        {
            sb.Append('[').Append(s.Number).Append("] ");
            if (!string.IsNullOrWhiteSpace(s.Chunk.Title))
            {
                sb.Append(s.Chunk.Title).Append(": ");
            }

            sb.AppendLine(Truncate(s.Chunk.Text, _options.MaxSourceCharacters));
        }

        return [new ChatMessage(ChatRole.System, sb.ToString().TrimEnd()), new ChatMessage(ChatRole.User, question)];
    }

    /// <summary>Streams the answer text as it is generated.</summary>
    public async IAsyncEnumerable<AnswerDelta> StreamAsync(
        string question, IReadOnlyList<AnswerSource> sources, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var options = new ChatOptions { MaxOutputTokens = _options.MaxOutputTokens, Temperature = _options.Temperature };
        _logger.LogDebug("Answering with {Count} sources", sources.Count);
        await foreach (var update in _chat.GetStreamingResponseAsync(BuildMessages(question, sources), options, cancellationToken).ConfigureAwait(false))
        {
            if (!string.IsNullOrEmpty(update.Text))
            {
                yield return new AnswerDelta(update.Text);
            }
        }
    }

    /// <summary>Generates the whole answer and its citations.</summary>
    public async Task<RagAnswer> AnswerAsync(string question, IReadOnlyList<AnswerSource> sources, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        await foreach (var delta in StreamAsync(question, sources, cancellationToken).ConfigureAwait(false))
        {
            text.Append(delta.Text);
        }

        var answer = text.ToString().Trim();
        var metadata = _chat.GetService<ChatClientMetadata>();
        return new RagAnswer(question, answer, sources, ExtractCitations(answer, sources.Count), metadata?.DefaultModelId);
    }

    /// <summary>Source numbers cited as <c>[n]</c> or <c>[n, m]</c> in <paramref name="text"/>, first-cited order, within 1..<paramref name="sourceCount"/>.</summary>
    public static IReadOnlyList<int> ExtractCitations(string text, int sourceCount)
    {
        var cited = new List<int>();
        foreach (Match m in CitationPattern().Matches(text))
        {
            foreach (var part in m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
                    && n >= 1 && n <= sourceCount && !cited.Contains(n))
                {
                    cited.Add(n);
                }
            }
        }

        return cited;
    }

    private static string Truncate(string text, int max)
    {
        var flat = WhitespaceRun().Replace(text, " ").Trim();
        if (flat.Length <= max)
        {
            return flat;
        }

        var cut = flat.LastIndexOf(' ', max);
        return string.Concat(flat.AsSpan(0, cut > max / 2 ? cut : max), " …");
    }

    [GeneratedRegex(@"\[(\d+(?:\s*,\s*\d+)*)\]")]
    private static partial Regex CitationPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();
}
