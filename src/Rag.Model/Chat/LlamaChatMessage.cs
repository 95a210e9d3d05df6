namespace Rag.Model.Chat;

/// <summary>One chat turn for <see cref="LlamaModel.ApplyChatTemplate"/>.</summary>
/// <param name="Role">"system", "user" or "assistant".</param>
/// <param name="Content">Message text.</param>
public sealed record LlamaChatMessage(string Role, string Content);
