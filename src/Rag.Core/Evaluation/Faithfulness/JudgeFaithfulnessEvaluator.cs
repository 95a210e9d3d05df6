using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Core.Evaluation.Internal;

namespace Rag.Core.Evaluation.Faithfulness;

/// <summary>
/// RAGAS-style faithfulness through any <see cref="IChatClient"/>: the judge lists the answer's claims, then decides
/// for each claim whether the context supports it; the score is the share of supported claims. Both requests ask
/// for JSON with a schema (<see cref="ChatResponseFormat.ForJsonSchema(JsonElement, string?, string?)"/>), which
/// grammar-constrained clients such as the llama.cpp one enforce, and replies are read leniently (the first JSON object,
/// then yes/no words), so a weak model still yields verdicts. A claim list that cannot be read falls back to the
/// answer's sentences, and a verdict that cannot be read counts as unsupported; both are counted in
/// <see cref="FaithfulnessResult.Unparsed"/>.
/// </summary>
public sealed class JudgeFaithfulnessEvaluator : IFaithfulnessEvaluator
{
    private static readonly JsonElement ClaimsSchema = JsonDocument.Parse(
        """{"type":"object","properties":{"claims":{"type":"array","items":{"type":"string"}}},"required":["claims"]}""").RootElement.Clone();

    private static readonly JsonElement VerdictSchema = JsonDocument.Parse(
        """{"type":"object","properties":{"supported":{"type":"boolean"}},"required":["supported"]}""").RootElement.Clone();

    private readonly IChatClient _judge;
    private readonly ILogger _logger;

    /// <summary>Creates the evaluator over a judge model.</summary>
    public JudgeFaithfulnessEvaluator(IChatClient judge, JudgeFaithfulnessOptions? options = null, ILogger<JudgeFaithfulnessEvaluator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(judge);
        _judge = judge;
        Options = options ?? new JudgeFaithfulnessOptions();
        Options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The settings in use.</summary>
    public JudgeFaithfulnessOptions Options { get; }

    /// <inheritdoc />
    public string Name => "judge";

    /// <inheritdoc />
    public async Task<FaithfulnessResult> EvaluateAsync(string answer, IReadOnlyList<string> contexts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(contexts);
        int unparsed = 0;
        string? claimListReply = null;
        List<string> claims;
        if (Options.ExtractClaims && answer.Trim().Length > 0)
        {
            string reply = await AskAsync(
                "Split the answer into short factual claims, each a complete sentence that can be checked on its own. " +
                "Reply with JSON only, in the form {\"claims\": [\"first claim\", \"second claim\"]}.",
                "Answer: " + answer.Trim(), ClaimsSchema, "claims", Options.MaxClaimTokens, cancellationToken).ConfigureAwait(false);
            var parsed = JudgeReplies.ReadClaims(reply);
            if (parsed is null || parsed.Count == 0)
            {
                unparsed++;
                _logger.LogDebug("Judge claim list unreadable, using sentences: {Reply}", reply);
                claimListReply = reply;
                claims = SentenceSplitter.Split(answer);
            }
            else
            {
                claims = parsed;
            }
        }
        else
        {
            claims = SentenceSplitter.Split(answer);
        }

        claims = claims.Take(Options.MaxClaims).ToList();
        if (claims.Count == 0)
        {
            return new FaithfulnessResult(1.0, [], unparsed);
        }

        string context = string.Join("\n", contexts);
        if (context.Length > Options.MaxContextCharacters)
        {
            context = context[..Options.MaxContextCharacters];
        }

        var verdicts = new List<ClaimVerdict>(claims.Count);
        foreach (var claim in claims)
        {
            string reply = await AskAsync(
                "Decide whether the context supports the claim. Reply with JSON only: {\"supported\": true} if the context states " +
                "or clearly implies the claim, otherwise {\"supported\": false}.",
                "Context: " + context + "\n\nClaim: " + claim, VerdictSchema, "verdict", Options.MaxVerdictTokens, cancellationToken).ConfigureAwait(false);
            bool? supported = JudgeReplies.ReadVerdict(reply);
            if (supported is null)
            {
                unparsed++;
            }

            verdicts.Add(new ClaimVerdict(claim, supported == true ? 1 : 0, supported == true, 1, (supported is null ? "unreadable: " : "judge: ") + reply));
        }

        return new FaithfulnessResult(verdicts.Average(v => v.Support), verdicts, unparsed) { UnreadableClaimList = claimListReply };
    }

    private async Task<string> AskAsync(string instruction, string input, JsonElement schema, string schemaName, int maxTokens, CancellationToken cancellationToken)
    {
        var options = new ChatOptions
        {
            Temperature = 0,
            MaxOutputTokens = maxTokens,
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, schemaName),
        };
        var response = await _judge.GetResponseAsync(
            [new ChatMessage(ChatRole.System, instruction), new ChatMessage(ChatRole.User, input)], options, cancellationToken).ConfigureAwait(false);
        return response.Text ?? string.Empty;
    }
}
