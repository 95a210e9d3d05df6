using Rag.Model;
using Rag.Model.Gguf;
using Rag.Model.Inference;
using Rag.Model.Lora;
using Rag.Model.Native;
using Rag.Model.Sampling;

namespace Rag.Training.Tests;

/// <summary>llama.cpp (through Rag.Model) as the reference: logits of every position, greedy generation.</summary>
internal static class LlamaCpp
{
    public static LlamaModel Load(string path)
    {
        LlamaBackend.Initialize();
        return LlamaModel.Load(path);
    }

    public static LlamaContext Context(LlamaModel model) => model.CreateContext(new LlamaContextOptions
    {
        ContextSize = 256, Threads = 1, AdaptiveThreads = false, FlashAttention = false, KvCacheType = GgmlType.F32,
    });

    public static float[] Logits(LlamaModel model, int[] tokens, LoraAdapterSet? adapters = null)
    {
        using var ctx = Context(model);
        using var scope = adapters is null ? null : ctx.UseLoraAdapters(adapters);
        ctx.Decode(tokens.Select((t, i) => new BatchToken(t, i, 0, true)).ToArray());
        var vocab = model.VocabSize;
        var all = new float[tokens.Length * vocab];
        for (var i = 0; i < tokens.Length; i++)
        {
            ctx.GetLogits(i).CopyTo(all.AsSpan(i * vocab, vocab));
        }

        return all;
    }

    public static async Task<(string Text, int[] Tokens)> GreedyAsync(LlamaModel model, string prompt, int maxTokens, LoraAdapterSet? adapters = null)
    {
        using var ctx = Context(model);
        using var scope = adapters is null ? null : ctx.UseLoraAdapters(adapters);
        var text = new System.Text.StringBuilder();
        var ids = new List<int>();
        await foreach (var t in ctx.GenerateAsync(prompt, new GenerationOptions { MaxTokens = maxTokens, Sampling = SamplingOptions.Greedy }))
        {
            text.Append(t.Text);
            if (!model.IsEndOfGeneration(t.TokenId))
            {
                ids.Add(t.TokenId);
            }
        }

        return (text.ToString(), ids.ToArray());
    }

    /// <summary>Largest |a − b| over the largest |b|, row by row; the worst row.</summary>
    public static double MaxRelativeError(float[] actual, float[] expected, int vocab)
    {
        double worst = 0;
        for (var r = 0; r < expected.Length / vocab; r++)
        {
            var e = expected.AsSpan(r * vocab, vocab);
            var a = actual.AsSpan(r * vocab, vocab);
            double maxAbs = 0, maxDiff = 0;
            for (var i = 0; i < vocab; i++)
            {
                maxAbs = Math.Max(maxAbs, Math.Abs(e[i]));
                maxDiff = Math.Max(maxDiff, Math.Abs(a[i] - e[i]));
            }

            worst = Math.Max(worst, maxDiff / maxAbs);
        }

        return worst;
    }
}
