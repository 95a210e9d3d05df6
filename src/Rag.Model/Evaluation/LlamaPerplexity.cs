using Rag.Model.Inference;

namespace Rag.Model.Evaluation;

/// <summary>Settings for <see cref="LlamaPerplexity"/>.</summary>
public sealed class PerplexityOptions
{
    /// <summary>Chunk length in tokens (llama-perplexity's -c; default 512).</summary>
    public int ContextSize { get; set; } = 512;

    /// <summary>Threads (default 1).</summary>
    public int Threads { get; set; } = 1;

    /// <summary>Largest decode batch (default 512; chunks longer than this are decoded in several batches).</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>Score at most this many chunks; null = all.</summary>
    public int? MaxChunks { get; set; }

    /// <summary>Throws for invalid values.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ContextSize, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        if (MaxChunks is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxChunks), MaxChunks, "MaxChunks must be at least 1.");
        }
    }
}

/// <summary>Result of a perplexity run.</summary>
/// <param name="Perplexity">exp(mean negative log-likelihood).</param>
/// <param name="StandardError">Standard error of the perplexity estimate (llama.cpp's "+/-").</param>
/// <param name="Chunks">Chunks scored.</param>
/// <param name="TokensScored">Tokens whose likelihood was counted.</param>
/// <param name="RunningPerplexity">Perplexity after each chunk (llama-perplexity's [i] values).</param>
public sealed record PerplexityResult(double Perplexity, double StandardError, int Chunks, int TokensScored, IReadOnlyList<double> RunningPerplexity);

/// <summary>
/// Perplexity with llama.cpp's convention (tools/perplexity): the text is tokenized once with BOS; it is cut into
/// chunks of n_ctx tokens (a trailing partial chunk is dropped); each chunk is evaluated from an empty KV cache with its
/// first token replaced by BOS; only the second half of each chunk is scored — the logits at positions
/// n_ctx/2 … n_ctx−2 predict the next token — so every scored token has at least n_ctx/2 tokens of context.
/// </summary>
public static class LlamaPerplexity
{
    /// <summary>Computes the perplexity of <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">The text has fewer than 2 × ContextSize tokens.</exception>
    public static PerplexityResult Compute(LlamaModel model, string text, PerplexityOptions options,
        IProgress<(int Chunk, int Total, double Perplexity)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var nCtx = options.ContextSize;
        var tokens = model.Tokenize(text, addSpecial: true, parseSpecial: false);
        if (tokens.Length < 2 * nCtx)
        {
            throw new ArgumentException($"Perplexity with a context of {nCtx} needs at least {2 * nCtx} tokens; the text has {tokens.Length}.", nameof(text));
        }

        var nChunk = tokens.Length / nCtx;
        if (options.MaxChunks is { } max)
        {
            nChunk = Math.Min(nChunk, max);
        }

        var nBatch = Math.Min(options.BatchSize, nCtx);
        var first = nCtx / 2;
        var addBos = model.Metadata.AddsBos;
        var bos = model.Metadata.BosToken;
        var nVocab = model.VocabSize;

        using var ctx = model.CreateContext(new LlamaContextOptions
        {
            ContextSize = nCtx,
            BatchSize = nBatch,
            MicroBatchSize = nBatch,
            Threads = options.Threads,
        });

        double nll = 0, nll2 = 0;
        var count = 0;
        var running = new List<double>(nChunk);
        var batch = new BatchToken[nBatch];
        for (var chunk = 0; chunk < nChunk; chunk++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = chunk * nCtx;
            ctx.ClearMemory();
            for (var b0 = 0; b0 < nCtx; b0 += nBatch)
            {
                var size = Math.Min(nBatch, nCtx - b0);
                for (var k = 0; k < size; k++)
                {
                    var pos = b0 + k;
                    var token = pos == 0 && addBos ? bos : tokens[start + pos];
                    batch[k] = new BatchToken(token, pos, 0, pos >= first);
                }

                ctx.Decode(batch.AsSpan(0, size));

                for (var k = 0; k < size; k++)
                {
                    var pos = b0 + k;
                    if (pos < first || pos >= nCtx - 1)
                    {
                        continue;
                    }

                    var target = tokens[start + pos + 1];
                    var logits = ctx.GetLogits(k);
                    var lp = LogSoftmaxAt(logits, target, nVocab);
                    nll -= lp;
                    nll2 += lp * lp;
                    count++;
                }
            }

            var ppl = Math.Exp(nll / count);
            running.Add(ppl);
            progress?.Report((chunk + 1, nChunk, ppl));
        }

        var mean = nll / count;
        var meanSq = nll2 / count - mean * mean;
        var stderr = meanSq > 0 ? Math.Sqrt(meanSq / (count - 1)) : 0;
        var final = Math.Exp(mean);
        return new PerplexityResult(final, stderr * final, nChunk, count, running);
    }

    private static double LogSoftmaxAt(ReadOnlySpan<float> logits, int target, int n)
    {
        var max = float.NegativeInfinity;
        for (var i = 0; i < n; i++)
        {
            if (logits[i] > max)
            {
                max = logits[i];
            }
        }

        double sum = 0;
        for (var i = 0; i < n; i++)
        {
            sum += Math.Exp(logits[i] - max);
        }

        return logits[target] - max - Math.Log(sum);
    }
}
