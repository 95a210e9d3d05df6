using Rag.Model.Gguf;

namespace Rag.Training.Internal;

/// <summary>Hyper-parameters of a LLaMA-architecture GGUF model, read with llama.cpp's key names and defaults.</summary>
internal sealed record LlamaConfig(
    string Architecture, int Vocab, int Embd, int Layers, int Heads, int KvHeads, int HeadDim, int Ff, int RopeDims, float RopeBase, float Eps, int ContextLength)
{
    public int QDim => Heads * HeadDim;

    public int KvDim => KvHeads * HeadDim;

    public static LlamaConfig FromGguf(GgufReader r)
    {
        var arch = r.GetString("general.architecture") ?? throw new NotSupportedException($"{r.Path}: no general.architecture.");
        if (arch != "llama")
        {
            throw new NotSupportedException($"{r.Path}: architecture '{arch}' is not supported by the LoRA trainer (it implements the llama block: RMSNorm, RoPE, GQA attention, SwiGLU).");
        }

        if (r.FindTensor("rope_freqs.weight") is not null || r.GetString($"{arch}.rope.scaling.type") is { } s && s != "none")
        {
            throw new NotSupportedException($"{r.Path}: RoPE scaling (rope_freqs / {arch}.rope.scaling.type) is not supported by the LoRA trainer.");
        }

        int Get(string key, int? fallback = null) =>
            (int?)r.GetInt64($"{arch}.{key}") ?? fallback ?? throw new NotSupportedException($"{r.Path}: missing {arch}.{key}.");
        var embd = Get("embedding_length");
        var heads = Get("attention.head_count");
        var headDim = Get("attention.key_length", embd / heads);
        var tok = r.FindTensor("token_embd.weight") ?? throw new NotSupportedException($"{r.Path}: no token_embd.weight.");
        return new LlamaConfig(
            arch,
            checked((int)tok.Dimensions[1]),
            embd,
            Get("block_count"),
            heads,
            Get("attention.head_count_kv", heads),
            headDim,
            Get("feed_forward_length"),
            Get("rope.dimension_count", headDim),
            (float)(r.GetDouble($"{arch}.rope.freq_base") ?? 10000.0),
            (float)(r.GetDouble($"{arch}.attention.layer_norm_rms_epsilon") ?? 1e-5),
            Get("context_length", 2048));
    }
}
