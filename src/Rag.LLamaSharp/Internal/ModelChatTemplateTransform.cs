using LLama;
using LLama.Abstractions;
using LLama.Common;
using LLama.Transformers;

namespace Rag.LLamaSharp.Internal;

/// <summary>
/// Renders a chat with the model's own template, and with ChatML when the GGUF has none, which is what Rag.Model does
/// (<c>LlamaModel.FallbackChatTemplate</c>). LLamaSharp's <see cref="PromptTemplateTransformer"/> throws for such
/// models instead, and without any transformer LLamaSharp writes a plain "User:/Assistant:" prompt.
/// </summary>
internal sealed class ModelChatTemplateTransform(LLamaWeights weights) : IHistoryTransform
{
    private const string FallbackTemplate = "chatml";
    private readonly bool _hasTemplate = weights.Metadata.ContainsKey("tokenizer.chat_template");

    public string HistoryToText(ChatHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var template = _hasTemplate ? new LLamaTemplate(weights) : new LLamaTemplate(FallbackTemplate);
        foreach (var m in history.Messages)
        {
            template.Add(m.AuthorRole.ToString().ToLowerInvariant(), m.Content);
        }

        template.AddAssistant = true;
        return PromptTemplateTransformer.ToModelPrompt(template);
    }

    public ChatHistory TextToHistory(AuthorRole role, string text)
    {
        var history = new ChatHistory();
        history.AddMessage(role, text);
        return history;
    }

    public IHistoryTransform Clone() => new ModelChatTemplateTransform(weights);
}
