namespace Rag.Training;

/// <summary>Settings of <see cref="LoraTrainer"/> (configuration section <c>Rag:Training</c>).</summary>
public sealed class LoraTrainingOptions
{
    /// <summary>The target names: q, k, v, o (attention), gate, up, down (feed-forward).</summary>
    public static IReadOnlyList<string> AllTargets { get; } = ["q", "k", "v", "o", "gate", "up", "down"];

    /// <summary>LoRA rank r. Default 8.</summary>
    public int Rank { get; set; } = 8;

    /// <summary>LoRA alpha; the update is scaled by alpha / r. Default: 2 × rank.</summary>
    public float? Alpha { get; set; }

    /// <summary>Dropout on the LoRA path's input during training. Default 0.</summary>
    public float Dropout { get; set; }

    /// <summary>Adapted weights (see <see cref="AllTargets"/>). Default: all seven.</summary>
    public IReadOnlyList<string> Targets { get; set; } = AllTargets;

    /// <summary>Passes over the training examples. Default 8.</summary>
    public int Epochs { get; set; } = 8;

    /// <summary>Peak learning rate of AdamW. Default 3e-3.</summary>
    public float LearningRate { get; set; } = 3e-3f;

    /// <summary>Examples per micro-batch. Default 4.</summary>
    public int BatchSize { get; set; } = 4;

    /// <summary>Micro-batches whose gradients are summed before one optimizer step. Default 1.</summary>
    public int GradientAccumulationSteps { get; set; } = 1;

    /// <summary>Fraction of the optimizer steps spent warming the learning rate up linearly. Default 0.1.</summary>
    public float WarmupRatio { get; set; } = 0.1f;

    /// <summary>The cosine schedule decays to this fraction of the peak learning rate. Default 0.1.</summary>
    public float MinLearningRateRatio { get; set; } = 0.1f;

    /// <summary>Decoupled AdamW weight decay. Default 0.</summary>
    public float WeightDecay { get; set; }

    /// <summary>AdamW beta1. Default 0.9.</summary>
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>AdamW beta2. Default 0.999.</summary>
    public float Beta2 { get; set; } = 0.999f;

    /// <summary>Gradients are scaled down when their global L2 norm exceeds this; 0 = no clipping. Default 1.</summary>
    public float MaxGradientNorm { get; set; } = 1f;

    /// <summary>Threads of the matrix kernels. Default 1.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>Seed of the initialization, the shuffling and the dropout. Default 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Where a checkpoint is written after each epoch and on cancellation; null = none.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Resume from <see cref="CheckpointPath"/> when it exists.</summary>
    public bool Resume { get; set; }

    /// <summary>The effective alpha.</summary>
    public float EffectiveAlpha => Alpha ?? 2f * Rank;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException(message);
            }
        }

        Check(Rank is >= 1 and <= 1024, $"Rank must be 1..1024, was {Rank}.");
        Check(Alpha is null || Alpha > 0, $"Alpha must be positive, was {Alpha}.");
        Check(Dropout is >= 0 and < 1, $"Dropout must be in [0, 1), was {Dropout}.");
        Check(Targets is { Count: > 0 } && Targets.All(t => AllTargets.Contains(t)), $"Targets must be some of {string.Join(", ", AllTargets)}; was {string.Join(", ", Targets ?? [])}.");
        Check(Epochs >= 1, $"Epochs must be at least 1, was {Epochs}.");
        Check(LearningRate > 0 && LearningRate < 1, $"LearningRate must be in (0, 1), was {LearningRate}.");
        Check(BatchSize >= 1, $"BatchSize must be at least 1, was {BatchSize}.");
        Check(GradientAccumulationSteps >= 1, $"GradientAccumulationSteps must be at least 1, was {GradientAccumulationSteps}.");
        Check(WarmupRatio is >= 0 and < 1, $"WarmupRatio must be in [0, 1), was {WarmupRatio}.");
        Check(MinLearningRateRatio is >= 0 and <= 1, $"MinLearningRateRatio must be in [0, 1], was {MinLearningRateRatio}.");
        Check(WeightDecay >= 0, $"WeightDecay must not be negative, was {WeightDecay}.");
        Check(Beta1 is >= 0 and < 1 && Beta2 is >= 0 and < 1, "Beta1 and Beta2 must be in [0, 1).");
        Check(MaxGradientNorm >= 0, $"MaxGradientNorm must not be negative, was {MaxGradientNorm}.");
        Check(Threads >= 1, $"Threads must be at least 1, was {Threads}.");
        Check(!Resume || CheckpointPath is not null, "Resume needs a CheckpointPath.");
    }
}

/// <summary>Reported after every optimizer step and every evaluation.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="TotalSteps">Optimizer steps of the whole run.</param>
/// <param name="Loss">Mean loss per completion token of the last step.</param>
/// <param name="LearningRate">Learning rate of the last step.</param>
/// <param name="TokensPerSecond">Training throughput so far (all tokens forward and backward).</param>
/// <param name="EvalLoss">Held-out loss when this report ends an epoch, else null.</param>
public sealed record LoraTrainingProgress(int Epoch, int Epochs, int Step, int TotalSteps, double Loss, double LearningRate, double TokensPerSecond, double? EvalLoss);

/// <summary>The losses of one epoch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean training loss per completion token.</param>
/// <param name="EvalLoss">Mean held-out loss per completion token (null without an evaluation split).</param>
public sealed record LoraEpochResult(int Epoch, double TrainLoss, double? EvalLoss)
{
    /// <summary>Held-out perplexity, exp(EvalLoss).</summary>
    public double? EvalPerplexity => EvalLoss is { } l ? Math.Exp(l) : null;
}

/// <summary>What <see cref="LoraTrainer.Train"/> did.</summary>
public sealed class LoraTrainingResult
{
    /// <summary>Held-out loss before training (B = 0: the base model).</summary>
    public double? InitialEvalLoss { get; init; }

    /// <summary>One entry per epoch run.</summary>
    public required IReadOnlyList<LoraEpochResult> Epochs { get; init; }

    /// <summary>Optimizer steps done (including those before a resume).</summary>
    public int Steps { get; init; }

    /// <summary>Tokens processed (forward and backward) in this run.</summary>
    public long Tokens { get; init; }

    /// <summary>Wall time of this run.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Tokens per second of this run.</summary>
    public double TokensPerSecond => Elapsed.TotalSeconds > 0 ? Tokens / Elapsed.TotalSeconds : 0;
}
