using System.Diagnostics;
using Rag.Training.Internal;

namespace Rag.Training;

/// <summary>One measurement of <see cref="LoraTrainingBenchmark"/>.</summary>
/// <param name="Threads">Kernel threads.</param>
/// <param name="SequenceTokens">Tokens of the measured sequence (all of them are targets).</param>
/// <param name="StepSeconds">Best wall time of one forward + backward + AdamW step over the repeats.</param>
/// <param name="TokensPerSecond">SequenceTokens / StepSeconds.</param>
/// <param name="FlopsPerToken">Arithmetic of one training token: forward matmuls, their input gradients (the base is frozen: no weight gradients), attention, LoRA.</param>
/// <param name="MatmulGflops">Measured rate of the same matrix kernel on a block-sized product (GFLOP/s).</param>
public sealed record LoraBenchmarkResult(int Threads, int SequenceTokens, double StepSeconds, double TokensPerSecond, double FlopsPerToken, double MatmulGflops)
{
    /// <summary>Tokens per second if every FLOP ran at the measured matmul rate.</summary>
    public double BoundTokensPerSecond => MatmulGflops * 1e9 / FlopsPerToken;

    /// <summary>Achieved fraction of that bound.</summary>
    public double Efficiency => TokensPerSecond / BoundTokensPerSecond;
}

/// <summary>Training throughput of the managed LoRA engine: one optimizer step on one sequence, and the matmul rate beside it.</summary>
public static class LoraTrainingBenchmark
{
    /// <summary>Measures one training step (best of <paramref name="repeats"/>) and the matrix kernel's rate.</summary>
    public static LoraBenchmarkResult Measure(string modelPath, int threads, int sequenceTokens = 128, int rank = 8, int repeats = 3, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceTokens, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        var trainer = LoraTrainer.Create(modelPath, new LoraTrainingOptions { Rank = rank, Threads = threads, Epochs = 1, BatchSize = 1 });
        var c = trainer.Network.Config;
        var rng = new Random(1);
        var tokens = Enumerable.Range(0, sequenceTokens).Select(_ => rng.Next(3, c.Vocab)).ToArray();
        var example = new TrainingExample(tokens, 1);
        var best = double.MaxValue;
        for (var r = 0; r <= repeats; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sw = Stopwatch.StartNew();
            trainer.Train([example], null, null, cancellationToken);
            var s = sw.Elapsed.TotalSeconds;
            if (r > 0)
            {
                best = Math.Min(best, s); // the first run warms the JIT up
            }

            trainer.ResetProgress();
        }

        return new LoraBenchmarkResult(threads, sequenceTokens, best, sequenceTokens / best, FlopsPerToken(c, rank, sequenceTokens), MatmulGflops(c, threads, sequenceTokens));
    }

    internal static double FlopsPerToken(LlamaConfig c, int rank, int t)
    {
        double lin = (c.Embd * (double)c.QDim) + (2.0 * c.Embd * c.KvDim) + (c.QDim * (double)c.Embd) + (3.0 * c.Embd * c.Ff);
        double lora = rank * ((c.Embd * 6.0) + c.QDim + c.KvDim * 2.0 + c.Ff * 4.0 + (c.Embd * 2.0));
        // attention per token: scores and weighted sum over (t+1)/2 keys on average, every head
        var attn = 2.0 * 2 * c.Heads * c.HeadDim * ((t + 1) / 2.0);
        var forward = (2 * c.Layers * (lin + lora)) + (c.Layers * attn) + (2.0 * c.Embd * c.Vocab);
        // backward: input gradients of the frozen matmuls (= forward), LoRA A and B gradients (2× the LoRA forward), attention twice
        var backward = (2 * c.Layers * (lin + (2 * lora))) + (2 * c.Layers * attn) + (2.0 * c.Embd * c.Vocab);
        return forward + backward;
    }

    internal static double MatmulGflops(LlamaConfig c, int threads, int t)
    {
        var x = new float[t * c.Embd];
        var w = new float[c.Ff * c.Embd];
        var y = new float[t * c.Ff];
        new Random(2).NextBytes(new byte[1]);
        Array.Fill(x, 0.5f);
        Array.Fill(w, 0.25f);
        var best = double.MaxValue;
        for (var r = 0; r < 6; r++)
        {
            var sw = Stopwatch.StartNew();
            Kernels.MatMulT(x, w, y, t, c.Embd, c.Ff, threads);
            Kernels.MatMulBackInput(y, w, x, t, c.Embd, c.Ff, threads);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }

        return 2.0 * 2 * t * c.Embd * c.Ff / best / 1e9;
    }
}
