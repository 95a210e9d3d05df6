using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Core.Answering.Internal;
using Rag.Core.Documents;
using Rag.Core.Retrieval;

namespace Rag.Core.Answering;

/// <summary>
/// Grounded answers. Retrieved chunks that pass a relevance threshold are numbered and packed into the prompt within a
/// token budget (the context minus the answer, the instruction, the question and the template overhead); the model's
/// answer streams with its citations checked against the given sources (an invalid <c>[n]</c> is removed and reported);
/// and when no chunk is relevant the answer says that it does not know, without calling the model.
/// </summary>
public sealed partial class RagAnswerer
{
    private readonly IChatClient _chat;
    private readonly AnswerOptions _options;
    private readonly ILogger _logger;
    private readonly ITokenCounter _counter;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly IRetriever? _retriever;

    /// <summary>Creates an answerer over a chat client.</summary>
    /// <param name="chat">The chat model.</param>
    /// <param name="options">Settings; null takes the defaults.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="tokenCounter">The chat model's tokenizer for the budget; null counts UTF-8 bytes (an upper bound, so the budget still holds).</param>
    /// <param name="embedder">Scores relevance by embedding similarity; null scores it by shared content words.</param>
    /// <param name="retriever">Retrieves the sources for <see cref="AskAsync"/>.</param>
    public RagAnswerer(IChatClient chat, AnswerOptions? options = null, ILogger<RagAnswerer>? logger = null, ITokenCounter? tokenCounter = null,
        IEmbeddingGenerator<string, Embedding<float>>? embedder = null, IRetriever? retriever = null)
    {
        ArgumentNullException.ThrowIfNull(chat);
        _chat = chat;
        _options = options ?? new AnswerOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _counter = tokenCounter ?? Utf8ByteTokenCounter.Instance;
        _embedder = embedder;
        _retriever = retriever;
    }

    /// <summary>The settings in use.</summary>
    public AnswerOptions Options => _options;

    /// <summary>The tokenizer the budget is counted with.</summary>
    public ITokenCounter TokenCounter => _counter;

    /// <summary>Numbers the best <see cref="AnswerOptions.MaxSources"/> hits as sources (no relevance filter, no packing).</summary>
    public IReadOnlyList<AnswerSource> SelectSources(IEnumerable<(Chunk Chunk, float Score)> hits) =>
        hits.Take(_options.MaxSources).Select((h, i) => new AnswerSource(i + 1, h.Chunk, h.Score)).ToList();

    /// <summary>Builds the chat messages for <paramref name="sources"/> packed into the budget (see <see cref="BuildPrompt"/>).</summary>
    public IList<ChatMessage> BuildMessages(string question, IReadOnlyList<AnswerSource> sources) => BuildPrompt(question, sources).Messages;

    /// <summary>Retrieves with the answerer's retriever, then answers (see <see cref="PrepareAsync"/> and <see cref="AnswerAsync(AnswerPrompt, CancellationToken)"/>).</summary>
    /// <exception cref="InvalidOperationException">The answerer was created without a retriever.</exception>
    public async Task<RagAnswer> AskAsync(string question, CancellationToken cancellationToken = default)
    {
        var retriever = _retriever ?? throw new InvalidOperationException("This answerer has no retriever: register an IRetriever (AddIndexStore) or pass one.");
        var hits = await retriever.RetrieveAsync(question, _options.MaxSources, cancellationToken).ConfigureAwait(false);
        var prompt = await PrepareAsync(question, hits.Select(h => (h.Chunk, (float)h.Score)), cancellationToken).ConfigureAwait(false);
        return await AnswerAsync(prompt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Scores each hit's relevance to the question, keeps those at or above <see cref="AnswerOptions.MinRelevance"/>
    /// (in retrieval order) and packs them into the token budget.
    /// </summary>
    public async Task<AnswerPrompt> PrepareAsync(string question, IEnumerable<(Chunk Chunk, float Score)> hits, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        ArgumentNullException.ThrowIfNull(hits);
        var list = hits.Take(_options.MaxSources).ToList();
        var relevance = await ScoreRelevanceAsync(question, list.Select(h => h.Chunk.Text).ToList(), cancellationToken).ConfigureAwait(false);
        var relevant = new List<AnswerSource>();
        for (int i = 0; i < list.Count; i++)
        {
            if (relevance[i] >= _options.MinRelevance)
            {
                relevant.Add(new AnswerSource(relevant.Count + 1, list[i].Chunk, list[i].Score) { Relevance = relevance[i] });
            }
        }

        _logger.LogDebug("{Relevant} of {Count} hits pass the relevance threshold {Threshold}", relevant.Count, list.Count, _options.MinRelevance);
        var prompt = BuildPrompt(question, relevant);
        return prompt with { OmittedChunks = list.Count - prompt.Sources.Count };
    }

    /// <summary>
    /// Relevance of each text to the question: embedding cosine similarity when the answerer has an embedder, else the
    /// share of the question's content words found in the text.
    /// </summary>
    public async Task<IReadOnlyList<double>> ScoreRelevanceAsync(string question, IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
        {
            return [];
        }

        if (_embedder is not null)
        {
            var embeddings = await _embedder.GenerateAsync([question, .. texts], cancellationToken: cancellationToken).ConfigureAwait(false);
            return texts.Select((_, i) => (double)TensorPrimitives.CosineSimilarity(embeddings[0].Vector.Span, embeddings[i + 1].Vector.Span)).ToList();
        }

        var questionTerms = SentenceTerms.Of(question).Distinct(StringComparer.Ordinal).ToList();
        return texts.Select(t =>
        {
            if (questionTerms.Count == 0)
            {
                return 0.0;
            }

            var terms = new HashSet<string>(SentenceTerms.Of(t), StringComparer.Ordinal);
            return questionTerms.Count(terms.Contains) / (double)questionTerms.Count;
        }).ToList();
    }

    /// <summary>
    /// Numbers <paramref name="sources"/> from 1 and packs them, in order, into the prompt budget
    /// (<see cref="AnswerOptions.ContextTokens"/> − <see cref="AnswerOptions.MaxOutputTokens"/>, of which the instruction,
    /// the question and <see cref="AnswerOptions.PromptOverheadTokens"/> are reserved). The first source that does not
    /// fit is cut at a word boundary to what is left, and the rest are left out; the budget is never exceeded.
    /// </summary>
    /// <exception cref="ArgumentException">The instruction and the question alone exceed the budget.</exception>
    public AnswerPrompt BuildPrompt(string question, IReadOnlyList<AnswerSource> sources)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        ArgumentNullException.ThrowIfNull(sources);
        int budget = _options.ContextTokens - _options.MaxOutputTokens;
        int reserved = _counter.CountTokens(_options.Instruction) + _counter.CountTokens(question) + _options.PromptOverheadTokens;
        if (reserved > budget)
        {
            throw new ArgumentException(
                $"The question needs {reserved} prompt tokens with the instruction and template, more than the budget of {budget} (ContextTokens − MaxOutputTokens); shorten it or raise Rag:Answer:ContextTokens.",
                nameof(question));
        }

        var packed = new List<AnswerSource>();
        int remaining = budget - reserved;
        foreach (var source in sources.Take(_options.MaxSources))
        {
            var number = packed.Count + 1;
            var text = Truncate(source.Chunk.Text, _options.MaxSourceCharacters);
            var entry = Entry(number, source.Chunk.Title, text);
            var cost = _counter.CountTokens(entry) + 1;
            if (cost > remaining)
            {
                text = FitText(number, source.Chunk.Title, text, remaining);
                if (text is null)
                {
                    break;
                }

                packed.Add(source with { Number = number, PromptText = text });
                break;
            }

            packed.Add(source with { Number = number, PromptText = text });
            remaining -= cost;
        }

        // Token counts are not additive across joins; count the whole and drop from the end until it fits.
        while (true)
        {
            var system = SystemText(packed);
            int total = _counter.CountTokens(system) + _counter.CountTokens(question) + _options.PromptOverheadTokens;
            if (total <= budget || packed.Count == 0)
            {
                return new AnswerPrompt(question, packed, [new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, question)], total, budget)
                {
                    OmittedChunks = sources.Count - packed.Count,
                };
            }

            packed.RemoveAt(packed.Count - 1);
        }
    }

    /// <summary>Streams the answer text as it is generated, with invalid citations removed and reported on the delta that removed them.</summary>
    public IAsyncEnumerable<AnswerDelta> StreamAsync(AnswerPrompt prompt, CancellationToken cancellationToken = default) =>
        StreamCoreAsync(prompt, new StreamState(), cancellationToken);

    /// <summary>Streams the answer to <paramref name="question"/> from <paramref name="sources"/>, packed into the budget.</summary>
    public IAsyncEnumerable<AnswerDelta> StreamAsync(string question, IReadOnlyList<AnswerSource> sources, CancellationToken cancellationToken = default) =>
        StreamAsync(BuildPrompt(question, sources), cancellationToken);

    /// <summary>Generates the whole answer to a prepared prompt, with its checked citations.</summary>
    public async Task<RagAnswer> AnswerAsync(AnswerPrompt prompt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var state = new StreamState();
        var text = new StringBuilder();
        await foreach (var delta in StreamCoreAsync(prompt, state, cancellationToken).ConfigureAwait(false))
        {
            text.Append(delta.Text);
        }

        return Finish(prompt, text.ToString(), state);
    }

    /// <summary>Generates the whole answer to <paramref name="question"/> from <paramref name="sources"/>, packed into the budget.</summary>
    public Task<RagAnswer> AnswerAsync(string question, IReadOnlyList<AnswerSource> sources, CancellationToken cancellationToken = default) =>
        AnswerAsync(BuildPrompt(question, sources), cancellationToken);

    /// <summary>Builds the finished answer from streamed text (for callers that print the stream themselves).</summary>
    public RagAnswer Finish(AnswerPrompt prompt, string streamedText, IReadOnlyList<int> droppedCitations, long? promptTokens = null) =>
        Finish(prompt, streamedText, new StreamState { PromptTokens = promptTokens, Dropped = [.. droppedCitations] });

    /// <summary>Source numbers cited as <c>[n]</c> or <c>[n, m]</c> in <paramref name="text"/>, first-cited order, within 1..<paramref name="sourceCount"/>.</summary>
    public static IReadOnlyList<int> ExtractCitations(string text, int sourceCount)
    {
        var cited = new List<int>();
        foreach (Match m in CitationPattern().Matches(text))
        {
            foreach (var part in m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                    && n >= 1 && n <= sourceCount && !cited.Contains(n))
                {
                    cited.Add(n);
                }
            }
        }

        return cited;
    }

    private RagAnswer Finish(AnswerPrompt prompt, string text, StreamState state)
    {
        var answer = text.Trim();
        return new RagAnswer(prompt.Question, answer, prompt.Sources, ExtractCitations(answer, prompt.Sources.Count), _chat.GetService<ChatClientMetadata>()?.DefaultModelId)
        {
            DroppedCitations = state.Dropped,
            IsNoAnswer = prompt.IsNoAnswer,
            PromptTokens = state.PromptTokens,
            PromptBudget = prompt.PromptBudget,
        };
    }

    private async IAsyncEnumerable<AnswerDelta> StreamCoreAsync(AnswerPrompt prompt, StreamState state, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (prompt.IsNoAnswer)
        {
            _logger.LogDebug("No relevant source: answering that the answer is not known");
            yield return new AnswerDelta(_options.NoAnswerText);
            yield break;
        }

        var options = new ChatOptions { MaxOutputTokens = _options.MaxOutputTokens, Temperature = _options.Temperature };
        var filter = new CitationFilter(prompt.Sources.Count);
        _logger.LogDebug("Answering with {Count} sources, {Tokens}/{Budget} prompt tokens", prompt.Sources.Count, prompt.PromptTokens, prompt.PromptBudget);
        await foreach (var update in _chat.GetStreamingResponseAsync(prompt.Messages, options, cancellationToken).ConfigureAwait(false))
        {
            foreach (var usage in update.Contents.OfType<UsageContent>())
            {
                state.PromptTokens = usage.Details.InputTokenCount ?? state.PromptTokens;
            }

            if (string.IsNullOrEmpty(update.Text))
            {
                continue;
            }

            var dropped = new List<int>();
            var shown = filter.Push(update.Text, dropped);
            state.Dropped.AddRange(dropped);
            if (shown.Length > 0 || dropped.Count > 0)
            {
                yield return new AnswerDelta(shown) { DroppedCitations = dropped };
            }
        }

        var rest = filter.Flush();
        if (rest.Length > 0)
        {
            yield return new AnswerDelta(rest);
        }

        if (state.Dropped.Count > 0)
        {
            _logger.LogInformation("Dropped citations that name no given source: {Dropped}", string.Join(", ", state.Dropped));
        }
    }

    private string SystemText(IReadOnlyList<AnswerSource> sources)
    {
        var sb = new StringBuilder();
        sb.Append(_options.Instruction).Append('\n').Append('\n');
        foreach (var s in sources)
        {
            sb.Append(Entry(s.Number, s.Chunk.Title, s.PromptText ?? Truncate(s.Chunk.Text, _options.MaxSourceCharacters))).Append('\n');
        }

        return sb.ToString().TrimEnd();
    }

    private static string Entry(int number, string? title, string text) =>
        string.IsNullOrWhiteSpace(title)
            ? string.Create(CultureInfo.InvariantCulture, $"[{number}] {text}")
            : string.Create(CultureInfo.InvariantCulture, $"[{number}] {title}: {text}");

    // The longest word-boundary prefix of text whose entry fits in `tokens`; null when not even a few words fit.
    private string? FitText(int number, string? title, string text, int tokens)
    {
        var cuts = new List<int>();
        for (int i = 1; i < text.Length; i++)
        {
            if (text[i] == ' ')
            {
                cuts.Add(i);
            }
        }

        int lo = 0, hi = cuts.Count - 1, best = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (_counter.CountTokens(Entry(number, title, string.Concat(text.AsSpan(0, cuts[mid]), " …"))) + 1 <= tokens)
            {
                best = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        // Fewer than three words is no source worth citing.
        return best >= 2 ? string.Concat(text.AsSpan(0, cuts[best]), " …") : null;
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

    private sealed class StreamState
    {
        public long? PromptTokens { get; set; }

        public List<int> Dropped { get; init; } = [];
    }
}
