namespace Rag.Tools.Synthetic;

/// <summary>Chat templates (Jinja, as stored in <c>tokenizer.chat_template</c>) for synthetic models whose tokenizer source has none.</summary>
public static class ChatTemplates
{
    /// <summary>
    /// LLaMA-2 chat format (<c>&lt;s&gt;[INST] &lt;&lt;SYS&gt;&gt;…&lt;&lt;/SYS&gt;&gt; user [/INST] answer &lt;/s&gt;</c>); it fits the LLaMA-2 vocabulary,
    /// whose BOS/EOS are real special tokens, and llama.cpp recognizes it as its built-in "llama2-sys" template.
    /// </summary>
    public const string Llama2 =
        "{% if messages[0]['role'] == 'system' %}{% set system_message = '<<SYS>>\\n' + messages[0]['content'] + '\\n<</SYS>>\\n\\n' %}"
        + "{% set loop_messages = messages[1:] %}{% else %}{% set system_message = '' %}{% set loop_messages = messages %}{% endif %}"
        + "{% for message in loop_messages %}{% if message['role'] == 'user' %}"
        + "{% if loop.index0 == 0 %}{{ bos_token + '[INST] ' + system_message + message['content'] + ' [/INST]' }}"
        + "{% else %}{{ bos_token + '[INST] ' + message['content'] + ' [/INST]' }}{% endif %}"
        + "{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] + ' ' + eos_token }}{% endif %}{% endfor %}";

    /// <summary>ChatML (<c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;</c>), the format of SmolLM2-Instruct and Qwen; llama.cpp recognizes it as "chatml".</summary>
    public const string ChatMl =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /// <summary>
    /// Maps a name to a template: <c>llama2</c>, <c>chatml</c>, <c>none</c> (no template, returns null);
    /// any other text containing <c>{%</c> or <c>{{</c> is taken as a Jinja template itself.
    /// </summary>
    /// <exception cref="ArgumentException">The name is neither known nor a template.</exception>
    public static string? Resolve(string nameOrTemplate)
    {
        ArgumentNullException.ThrowIfNull(nameOrTemplate);
        return nameOrTemplate.Trim().ToLowerInvariant() switch
        {
            "llama2" or "llama-2" => Llama2,
            "chatml" => ChatMl,
            "none" or "" => null,
            _ when nameOrTemplate.Contains("{%", StringComparison.Ordinal) || nameOrTemplate.Contains("{{", StringComparison.Ordinal) => nameOrTemplate,
            _ => throw new ArgumentException($"Unknown chat template '{nameOrTemplate}': use llama2, chatml, none, or a Jinja template.", nameof(nameOrTemplate)),
        };
    }
}
