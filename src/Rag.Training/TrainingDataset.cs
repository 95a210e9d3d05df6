using System.Text.Json;
using Rag.Model;
using Rag.Model.Chat;

namespace Rag.Training;

/// <summary>
/// Reads JSONL training data: one object per line, either <c>{"prompt": "...", "completion": "..."}</c> (base models)
/// or <c>{"messages": [{"role": "...", "content": "..."}, ...]}</c> (chat models, rendered with the model's chat template;
/// the loss covers the last assistant message). Blank lines are skipped. Any bad line fails the whole file with a
/// <see cref="TrainingDataException"/> naming the line.
/// </summary>
public static class TrainingDataset
{
    /// <summary>Loads and tokenizes a JSONL file with the model's tokenizer.</summary>
    /// <param name="path">The file.</param>
    /// <param name="model">Tokenizer and chat template.</param>
    /// <param name="maxTokens">Longest allowed example in tokens (the context the trainer runs); 0 = the model's training context.</param>
    /// <exception cref="TrainingDataException">A line is malformed JSON, has an empty completion, is longer than the context, or has neither shape; or the file has no examples.</exception>
    public static IReadOnlyList<TrainingExample> LoadJsonl(string path, LlamaModel model, int maxTokens = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        if (maxTokens <= 0)
        {
            maxTokens = model.Metadata.ContextLength;
        }

        var result = new List<TrainingExample>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            TrainingDataException Bad(string problem) => new(path, lineNumber, problem);
            string prompt, completion;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw Bad($"expected a JSON object, found {root.ValueKind}");
                }

                if (root.TryGetProperty("messages", out var messages))
                {
                    (prompt, completion) = RenderChat(model, messages, Bad);
                }
                else if (root.TryGetProperty("prompt", out var p) && root.TryGetProperty("completion", out var c))
                {
                    if (p.ValueKind != JsonValueKind.String || c.ValueKind != JsonValueKind.String)
                    {
                        throw Bad("\"prompt\" and \"completion\" must be strings");
                    }

                    prompt = p.GetString()!;
                    completion = c.GetString()!;
                }
                else
                {
                    throw Bad("expected {\"prompt\": ..., \"completion\": ...} or {\"messages\": [...]}");
                }
            }
            catch (JsonException e)
            {
                throw Bad($"malformed JSON: {e.Message}");
            }

            if (completion.Trim().Length == 0)
            {
                throw Bad("the completion is empty");
            }

            var example = Tokenize(model, prompt, completion, lineNumber);
            if (example.Tokens.Length > maxTokens)
            {
                throw Bad($"the example is {example.Tokens.Length} tokens, longer than the context of {maxTokens} tokens (shorten it or raise the context)");
            }

            result.Add(example);
        }

        if (result.Count == 0)
        {
            throw new TrainingDataException(path, lineNumber, "the file holds no examples");
        }

        return result;
    }

    /// <summary>
    /// Tokenizes one example: BOS (when the model adds one) + prompt + completion + EOS; the prompt length is the part
    /// that tokenizes the same alone as inside the whole text, so generation from the prompt continues where training did.
    /// </summary>
    public static TrainingExample Tokenize(LlamaModel model, string prompt, string completion, int lineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(completion);
        var full = model.Tokenize(prompt + completion, addSpecial: true, parseSpecial: true);
        var p = model.Tokenize(prompt, addSpecial: true, parseSpecial: true);
        var common = 0;
        while (common < p.Length && common < full.Length && p[common] == full[common])
        {
            common++;
        }

        var tokens = new int[full.Length + 1];
        full.CopyTo(tokens, 0);
        tokens[^1] = model.Metadata.EosToken;
        return new TrainingExample(tokens, Math.Max(1, common), lineNumber);
    }

    /// <summary>Splits off a held-out fraction (a seeded shuffle; at least one example each when possible).</summary>
    public static (IReadOnlyList<TrainingExample> Train, IReadOnlyList<TrainingExample> Eval) Split(IReadOnlyList<TrainingExample> examples, double evalFraction, int seed = 42)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (evalFraction is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(evalFraction), evalFraction, "The evaluation fraction must be in [0, 1).");
        }

        var n = (int)Math.Round(examples.Count * evalFraction);
        if (evalFraction > 0 && examples.Count >= 2)
        {
            n = Math.Clamp(n, 1, examples.Count - 1);
        }

        if (n == 0)
        {
            return (examples, []);
        }

        var order = examples.ToArray();
        new Random(seed).Shuffle(order);
        return (order[n..], order[..n]);
    }

    private static (string Prompt, string Completion) RenderChat(LlamaModel model, JsonElement messages, Func<string, TrainingDataException> bad)
    {
        if (messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            throw bad("\"messages\" must be a non-empty array");
        }

        var list = new List<LlamaChatMessage>();
        foreach (var m in messages.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
                || !m.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
            {
                throw bad("every message needs string \"role\" and \"content\"");
            }

            list.Add(new LlamaChatMessage(role.GetString()!, content.GetString()!));
        }

        if (list[^1].Role != "assistant")
        {
            throw bad("the last message must be the assistant's (it is what the model learns to say)");
        }

        if (list[^1].Content.Trim().Length == 0)
        {
            throw bad("the completion (last assistant message) is empty");
        }

        var prompt = model.ApplyChatTemplate(list.Take(list.Count - 1).ToList(), addAssistantPrefix: true);
        var full = model.ApplyChatTemplate(list, addAssistantPrefix: false);
        if (!full.StartsWith(prompt, StringComparison.Ordinal))
        {
            throw bad("the chat template does not render the conversation as its prompt followed by the reply");
        }

        return (prompt, full[prompt.Length..]);
    }
}
