namespace Rag.Host.Cli;

/// <summary>Parsed arguments of <c>rag models synth</c>.</summary>
internal sealed record SynthCommandArguments
{
    /// <summary><c>--shape</c>: smollm2-135m, llama-3.2-1b, tiny-llama, bert-tiny, reranker-tiny, custom (a LLaMA decoder) or custom-bert.</summary>
    public required string Shape { get; init; }

    /// <summary><c>--out</c>: the file to write.</summary>
    public required string OutputPath { get; init; }

    /// <summary><c>--seed</c>: weight seed (default 42).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>
    /// <c>--tokenizer-from</c>: a GGUF file whose <c>tokenizer.*</c> keys are copied, or <c>builtin</c>.
    /// Null: for decoders, the shared <c>llama-2-tiny-random-f16.gguf</c> (LLaMA-2 vocabulary) when it can be found, else the built-in byte vocabulary;
    /// for BERT shapes, the built-in WordPiece vocabulary.
    /// </summary>
    public string? TokenizerFrom { get; init; }

    /// <summary><c>--vocab-from</c> (BERT shapes): a text file whose most frequent words make the WordPiece vocabulary.</summary>
    public string? VocabFrom { get; init; }

    /// <summary><c>--vocab-words</c>: how many words <see cref="VocabFrom"/> contributes (default 8000).</summary>
    public int VocabWords { get; init; } = 8000;

    /// <summary><c>--chat-template</c>: llama2, chatml, none, or a Jinja template (decoders only). Null keeps the tokenizer's or adds llama2.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary><c>--type</c>: f16 (default), f32 or bf16.</summary>
    public string WeightType { get; init; } = "f16";

    /// <summary><c>--std</c>: weight standard deviation (default 0.02).</summary>
    public float? WeightStd { get; init; }

    /// <summary><c>--layers</c> (custom shapes).</summary>
    public int? Layers { get; init; }

    /// <summary><c>--embd</c> (custom shapes).</summary>
    public int? EmbeddingLength { get; init; }

    /// <summary><c>--heads</c> (custom shapes).</summary>
    public int? Heads { get; init; }

    /// <summary><c>--kv-heads</c> (custom decoders).</summary>
    public int? KvHeads { get; init; }

    /// <summary><c>--ffn</c> (custom shapes).</summary>
    public int? FeedForwardLength { get; init; }

    /// <summary><c>--ctx</c>: training context length.</summary>
    public int? ContextLength { get; init; }

    /// <summary><c>--rope-theta</c> (decoders).</summary>
    public float? RopeTheta { get; init; }

    /// <summary><c>--untied</c>: write a separate output.weight (decoders).</summary>
    public bool? Untied { get; init; }

    /// <summary><c>--pooling</c> (custom BERT): mean, cls, last, none or rank.</summary>
    public string? Pooling { get; init; }
}
