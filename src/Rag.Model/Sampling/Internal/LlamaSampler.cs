using Rag.Model.Native;
using Rag.Model.Native.Interop;
using Rag.Model.Inference;
using Rag.Model.Native.Internal;

namespace Rag.Model.Sampling.Internal;

/// <summary>
/// A llama.cpp sampler chain built from <see cref="SamplingOptions"/>. One per sequence: it carries penalty and
/// grammar state. Not thread-safe; dispose it when the sequence ends.
/// </summary>
internal sealed unsafe class LlamaSampler : IDisposable
{
    private readonly SafeLlamaSamplerHandle _chain;

    private LlamaSampler(SafeLlamaSamplerHandle chain) => _chain = chain;

    internal SafeLlamaSamplerHandle Handle => _chain;

    /// <summary>Builds the chain for <paramref name="model"/>.</summary>
    /// <exception cref="LlamaGrammarException">The grammar (or the GBNF made from the JSON schema) is invalid.</exception>
    public static LlamaSampler Create(LlamaModel model, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var lease = new HandleLease(model.Handle, nameof(LlamaModel));

        var grammar = options.Grammar ?? (options.JsonSchema is { } schema ? JsonSchemaGrammar.Convert(schema) : null);
        IntPtr grammarSampler = IntPtr.Zero;
        if (grammar is not null)
        {
            using var capture = LlamaLog.Capture();
            grammarSampler = LlamaNative.llama_sampler_init_grammar(model.Vocab, grammar, "root");
            if (grammarSampler == IntPtr.Zero)
            {
                var why = string.Join(" | ", capture.Lines.TakeLast(3));
                throw new LlamaGrammarException($"Invalid GBNF grammar: {(why.Length > 0 ? why : "rejected by llama.cpp's parser")}", grammar);
            }
        }

        var p = LlamaNative.llama_sampler_chain_default_params();
        p.no_perf = 1;
        var chain = new SafeLlamaSamplerHandle(LlamaNative.llama_sampler_chain_init(p));
        var c = chain.DangerousGetHandle();
        var nVocab = model.VocabSize;

        if (options.LogitBias is { Count: > 0 } bias)
        {
            var arr = bias.Select(kv => new LlamaLogitBiasNative { token = kv.Key, bias = kv.Value }).ToArray();
            foreach (var b in arr)
            {
                model.ValidateToken(b.token);
            }

            fixed (LlamaLogitBiasNative* a = arr)
            {
                LlamaNative.llama_sampler_chain_add(c, LlamaNative.llama_sampler_init_logit_bias(nVocab, arr.Length, a));
            }
        }

        if (options.RepeatPenalty != 1f || options.FrequencyPenalty != 0f || options.PresencePenalty != 0f)
        {
            LlamaNative.llama_sampler_chain_add(c, LlamaNative.llama_sampler_init_penalties(
                nVocab, options.PenaltyLastN, options.RepeatPenalty, options.FrequencyPenalty, options.PresencePenalty));
        }

        if (grammarSampler != IntPtr.Zero)
        {
            LlamaNative.llama_sampler_chain_add(c, grammarSampler);
        }

        if (options.Temperature <= 0)
        {
            LlamaNative.llama_sampler_chain_add(c, LlamaNative.llama_sampler_init_greedy());
        }
        else
        {
            if (options.TopK > 0)
            {
                LlamaNative.llama_sampler_chain_add(c, LlamaNative.llama_sampler_init_top_k(options.TopK));
            }

            if (options.TopP < 1f)
            {
                LlamaNative.llama_sampler_chain_add(c, LlamaNative.llama_sampler_init_top_p(options.TopP, 1));
            }

            if (options.MinP > 0f)
            {
                LlamaNative.llama_sampler_chain_add(c, LlamaNative.llama_sampler_init_min_p(options.MinP, 1));
            }

            LlamaNative.llama_sampler_chain_add(c, LlamaNative.llama_sampler_init_temp(options.Temperature));
            LlamaNative.llama_sampler_chain_add(c, LlamaNative.llama_sampler_init_dist(options.Seed ?? 0xFFFFFFFFu));
        }

        return new LlamaSampler(chain);
    }

    /// <summary>Samples from output <paramref name="outputIndex"/> of the last decode (-1 = last) and accepts the token.</summary>
    public int Sample(LlamaContext context, int outputIndex = -1)
    {
        using var s = new HandleLease(_chain, nameof(LlamaSampler));
        using var c = new HandleLease(context.Handle, nameof(LlamaContext));
        return LlamaNative.llama_sampler_sample(s.Pointer, c.Pointer, outputIndex);
    }

    /// <summary>Feeds a token into the chain's state (penalties, grammar) without sampling.</summary>
    public void Accept(int token)
    {
        using var s = new HandleLease(_chain, nameof(LlamaSampler));
        LlamaNative.llama_sampler_accept(s.Pointer, token);
    }

    /// <summary>Clears penalty and grammar state.</summary>
    public void Reset()
    {
        using var s = new HandleLease(_chain, nameof(LlamaSampler));
        LlamaNative.llama_sampler_reset(s.Pointer);
    }

    /// <summary>Frees the chain. Safe to call twice.</summary>
    public void Dispose() => _chain.Dispose();
}
