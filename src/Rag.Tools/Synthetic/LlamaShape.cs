namespace Rag.Tools.Synthetic;

/// <summary>
/// Hyper-parameters of a LLaMA-family decoder (<c>general.architecture = llama</c>).
/// Presets copy the published configurations; the vocabulary comes from the tokenizer, not from the shape.
/// </summary>
public sealed record LlamaShape
{
    /// <summary>Preset name or a free label; written as <c>general.name</c>.</summary>
    public string Name { get; init; } = "custom";

    /// <summary>Number of transformer blocks.</summary>
    public int BlockCount { get; init; }

    /// <summary>Hidden size (n_embd).</summary>
    public int EmbeddingLength { get; init; }

    /// <summary>Query heads.</summary>
    public int HeadCount { get; init; }

    /// <summary>Key/value heads (grouped-query attention); equal to <see cref="HeadCount"/> for plain multi-head attention.</summary>
    public int HeadCountKv { get; init; }

    /// <summary>Feed-forward (SwiGLU) inner size.</summary>
    public int FeedForwardLength { get; init; }

    /// <summary>Training context length (<c>llama.context_length</c>).</summary>
    public int ContextLength { get; init; } = 2048;

    /// <summary>RoPE base frequency.</summary>
    public float RopeFreqBase { get; init; } = 10000f;

    /// <summary>RMSNorm epsilon.</summary>
    public float RmsNormEpsilon { get; init; } = 1e-5f;

    /// <summary>Whether the output projection reuses <c>token_embd</c> (no <c>output.weight</c>), as SmolLM2 and Llama-3.2 do.</summary>
    public bool TieEmbeddings { get; init; } = true;

    /// <summary>Llama-3 RoPE frequency scaling, written as <c>rope_freqs.weight</c>; null for plain RoPE.</summary>
    public Llama3RopeScaling? RopeScaling { get; init; }

    /// <summary>Head dimension.</summary>
    public int HeadDimension => HeadCount == 0 ? 0 : EmbeddingLength / HeadCount;

    /// <summary>SmolLM2-135M: 30 layers, 576 wide, 9 heads, 3 KV heads, FFN 1536, RoPE θ 100000, tied embeddings.</summary>
    public static LlamaShape SmolLM2_135M { get; } = new()
    {
        Name = "SmolLM2-135M (synthetic)",
        BlockCount = 30,
        EmbeddingLength = 576,
        HeadCount = 9,
        HeadCountKv = 3,
        FeedForwardLength = 1536,
        ContextLength = 8192,
        RopeFreqBase = 100000f,
        RmsNormEpsilon = 1e-5f,
        TieEmbeddings = true,
    };

    /// <summary>Llama-3.2-1B: 16 layers, 2048 wide, 32 heads, 8 KV heads, FFN 8192, RoPE θ 500000 with llama3 scaling (factor 32), tied embeddings.</summary>
    public static LlamaShape Llama32_1B { get; } = new()
    {
        Name = "Llama-3.2-1B (synthetic)",
        BlockCount = 16,
        EmbeddingLength = 2048,
        HeadCount = 32,
        HeadCountKv = 8,
        FeedForwardLength = 8192,
        ContextLength = 131072,
        RopeFreqBase = 500000f,
        RmsNormEpsilon = 1e-5f,
        TieEmbeddings = true,
        RopeScaling = new Llama3RopeScaling(),
    };

    /// <summary>A tiny shape for tests: 2 layers, 64 wide, 4 heads, 2 KV heads, FFN 128.</summary>
    public static LlamaShape Tiny { get; } = new()
    {
        Name = "tiny-llama (synthetic)",
        BlockCount = 2,
        EmbeddingLength = 64,
        HeadCount = 4,
        HeadCountKv = 2,
        FeedForwardLength = 128,
        ContextLength = 512,
        TieEmbeddings = false,
    };

    /// <summary>Checks the shape is one llama.cpp can build; throws <see cref="ArgumentException"/> naming the problem.</summary>
    public void Validate()
    {
        Require(BlockCount is > 0 and <= 512, $"BlockCount must be 1..512, was {BlockCount}");
        Require(EmbeddingLength > 0, $"EmbeddingLength must be positive, was {EmbeddingLength}");
        Require(HeadCount > 0 && EmbeddingLength % HeadCount == 0, $"EmbeddingLength {EmbeddingLength} must be a positive multiple of HeadCount {HeadCount}");
        Require(HeadDimension % 2 == 0, $"the head dimension {HeadDimension} must be even for RoPE");
        Require(HeadCountKv > 0 && HeadCount % HeadCountKv == 0, $"HeadCount {HeadCount} must be a multiple of HeadCountKv {HeadCountKv}");
        Require(FeedForwardLength > 0, $"FeedForwardLength must be positive, was {FeedForwardLength}");
        Require(ContextLength > 0, $"ContextLength must be positive, was {ContextLength}");
        Require(RopeFreqBase > 0 && RmsNormEpsilon > 0, "RopeFreqBase and RmsNormEpsilon must be positive");
    }

    internal static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"Invalid model shape: {problem}.");
        }
    }
}
