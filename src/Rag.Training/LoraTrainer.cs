using System.Diagnostics;
using Rag.Model.Gguf;
using Rag.Training.Internal;

namespace Rag.Training;

/// <summary>
/// Trains a LoRA adapter over a frozen LLaMA-architecture GGUF base (F32, F16, BF16 or a dequantizable quantized type)
/// with a managed forward and backward pass: AdamW with linear warmup and a cosine schedule, gradient clipping and
/// accumulation, loss on the completion tokens only, an evaluation split with loss and perplexity per epoch,
/// checkpoints with resume, cancellation and progress. Export the result with <see cref="ExportAdapter"/>.
/// </summary>
public sealed class LoraTrainer
{
    private readonly LlamaNetwork _net;
    private readonly LoraTrainingOptions _options;
    private readonly string _fingerprint;
    private int _step;
    private int _epochsDone;
    private int _stepInEpoch;

    private LoraTrainer(LlamaNetwork net, LoraTrainingOptions options, string fingerprint)
    {
        _net = net;
        _options = options;
        _fingerprint = fingerprint;
    }

    /// <summary>The base model's hyper-parameters, for reporting: layers, embedding size, vocabulary.</summary>
    public (int Layers, int Embedding, int Vocabulary, int ContextLength) ModelShape => (_net.Config.Layers, _net.Config.Embd, _net.Config.Vocab, _net.Config.ContextLength);

    internal LlamaNetwork Network => _net;

    /// <summary>Number of trainable parameters.</summary>
    public long TrainableParameters => _net.Loras.Sum(l => (long)l.ParameterCount);

    /// <summary>Optimizer steps done so far (restored by a resume).</summary>
    public int Steps => _step;

    /// <summary>Loads the base model's weights and creates a fresh adapter (A random, B zero: the base model's output).</summary>
    /// <exception cref="NotSupportedException">The model's architecture or a tensor type is not supported.</exception>
    public static LoraTrainer Create(string modelPath, LoraTrainingOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        options ??= new LoraTrainingOptions();
        options.Validate();
        using var r = GgufReader.Open(modelPath);
        var net = LlamaNetwork.Load(r);
        net.Threads = options.Threads;
        net.AttachLora(options.Targets, options.Rank);
        net.LoraScale = options.EffectiveAlpha / options.Rank;
        var rng = new Random(options.Seed);
        foreach (var l in net.Loras)
        {
            // PEFT's default: A ~ Kaiming-uniform (bound 1/sqrt(in)), B = 0
            var bound = 1f / MathF.Sqrt(l.In);
            for (var i = 0; i < l.A.Length; i++)
            {
                l.A[i] = ((rng.NextSingle() * 2) - 1) * bound;
            }
        }

        return new LoraTrainer(net, options, LoraAdapterFile.ComputeFingerprint(r));
    }

    /// <summary>Forgets the run position (steps, epochs) but keeps the adapter: the next <see cref="Train"/> starts a new schedule.</summary>
    public void ResetProgress()
    {
        _step = 0;
        _epochsDone = 0;
        _stepInEpoch = 0;
    }

    /// <summary>Mean loss per completion token over <paramref name="examples"/> (no dropout, no gradients).</summary>
    public double EvaluateLoss(IReadOnlyList<TrainingExample> examples, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        double sum = 0;
        long count = 0;
        foreach (var e in examples)
        {
            cancellationToken.ThrowIfCancellationRequested();
            sum += _net.LossAndBackward(e.Tokens, e.PromptLength, 0f, 0f, null, out var n);
            count += n;
        }

        return count == 0 ? double.NaN : sum / count;
    }

    /// <summary>Logits (tokens × vocabulary, row-major) of the base model with the current adapter, from the trainer's own forward pass.</summary>
    public float[] ComputeLogits(ReadOnlySpan<int> tokens) => _net.Forward(tokens);

    /// <summary>Greedy continuation with the trainer's own forward pass (no KV cache: for checks, not for serving).</summary>
    public int[] GreedyContinuation(IReadOnlyList<int> prompt, int maxTokens, int eosToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var tokens = prompt.ToList();
        var generated = new List<int>();
        var vocab = _net.Config.Vocab;
        for (var i = 0; i < maxTokens; i++)
        {
            var logits = _net.Forward(tokens.ToArray());
            var next = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(new ReadOnlySpan<float>(logits, (tokens.Count - 1) * vocab, vocab));
            if (next == eosToken)
            {
                break;
            }

            generated.Add(next);
            tokens.Add(next);
        }

        return generated.ToArray();
    }

    /// <summary>Trains for the configured epochs (the remaining ones after a resume).</summary>
    /// <exception cref="OperationCanceledException">Cancelled; a checkpoint was written first when <see cref="LoraTrainingOptions.CheckpointPath"/> is set.</exception>
    public LoraTrainingResult Train(IReadOnlyList<TrainingExample> train, IReadOnlyList<TrainingExample>? eval = null,
        IProgress<LoraTrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
        {
            throw new ArgumentException("No training examples.", nameof(train));
        }

        eval ??= [];
        var o = _options;
        if (o.Resume && o.CheckpointPath is { } cp && File.Exists(cp))
        {
            LoadCheckpoint(cp);
        }

        var microBatches = (train.Count + o.BatchSize - 1) / o.BatchSize;
        var stepsPerEpoch = (microBatches + o.GradientAccumulationSteps - 1) / o.GradientAccumulationSteps;
        var totalSteps = stepsPerEpoch * o.Epochs;
        var warmup = (int)Math.Ceiling(o.WarmupRatio * totalSteps);
        double? initialEval = eval.Count > 0 ? EvaluateLoss(eval, cancellationToken) : null;
        var epochs = new List<LoraEpochResult>();
        var sw = Stopwatch.StartNew();
        long tokens = 0;
        try
        {
            for (var epoch = _epochsDone; epoch < o.Epochs; epoch++)
            {
                var order = train.ToArray();
                new Random(Mix(o.Seed, epoch, -1)).Shuffle(order);
                double epochLoss = 0;
                long epochCount = 0;
                for (var s = _stepInEpoch; s < stepsPerEpoch; s++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var first = s * o.GradientAccumulationSteps * o.BatchSize;
                    var batch = order.Skip(first).Take(o.GradientAccumulationSteps * o.BatchSize).ToArray();
                    var count = batch.Sum(e => Math.Max(0, e.Tokens.Length - Math.Max(1, e.PromptLength)));
                    foreach (var l in _net.Loras)
                    {
                        l.ZeroGrad();
                    }

                    double loss = 0;
                    var rng = new Random(Mix(o.Seed, epoch, s));
                    foreach (var e in batch)
                    {
                        loss += _net.LossAndBackward(e.Tokens, e.PromptLength, count > 0 ? 1f / count : 0f, o.Dropout, rng, out _);
                        tokens += e.Tokens.Length;
                    }

                    var lr = LearningRateAt(_step, totalSteps, warmup);
                    OptimizerStep(lr);
                    _step++;
                    _stepInEpoch = s + 1;
                    epochLoss += loss;
                    epochCount += count;
                    progress?.Report(new LoraTrainingProgress(epoch + 1, o.Epochs, _step, totalSteps, count > 0 ? loss / count : 0, lr, tokens / Math.Max(sw.Elapsed.TotalSeconds, 1e-9), null));
                }

                _epochsDone = epoch + 1;
                _stepInEpoch = 0;
                double? evalLoss = eval.Count > 0 ? EvaluateLoss(eval, cancellationToken) : null;
                epochs.Add(new LoraEpochResult(epoch + 1, epochCount > 0 ? epochLoss / epochCount : double.NaN, evalLoss));
                progress?.Report(new LoraTrainingProgress(epoch + 1, o.Epochs, _step, totalSteps, epochCount > 0 ? epochLoss / epochCount : 0, LearningRateAt(_step, totalSteps, warmup), tokens / Math.Max(sw.Elapsed.TotalSeconds, 1e-9), evalLoss));
                if (o.CheckpointPath is not null)
                {
                    SaveCheckpoint(o.CheckpointPath);
                }
            }
        }
        catch (OperationCanceledException)
        {
            if (o.CheckpointPath is not null)
            {
                SaveCheckpoint(o.CheckpointPath);
            }

            throw;
        }

        return new LoraTrainingResult { InitialEvalLoss = initialEval, Epochs = epochs, Steps = _step, Tokens = tokens, Elapsed = sw.Elapsed };
    }

    /// <summary>The adapter as a GGUF LoRA file (llama.cpp's layout, with this base model's fingerprint).</summary>
    public LoraAdapterFile ExportAdapter(string? name = null) =>
        new(_net.Config.Architecture, _options.EffectiveAlpha, _net.Loras.Select(l => new LoraAdapterTensor(l.BaseName, l.In, l.Out, l.Rank, (float[])l.A.Clone(), (float[])l.B.Clone())).ToList())
        {
            Name = name ?? "rag-lora",
            BaseModelFingerprint = _fingerprint,
        };

    /// <summary>Writes a checkpoint: the adapter, the AdamW moments and the position in the run.</summary>
    public void SaveCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var tmp = path + ".tmp";
        using (var w = GgufWriter.Create(tmp))
        {
            w.SetString("general.architecture", _net.Config.Architecture);
            w.SetString("general.type", "rag.lora.checkpoint");
            w.SetString(LoraAdapterFile.BaseModelFingerprintKey, _fingerprint);
            w.SetInt32("training.step", _step);
            w.SetInt32("training.epochs_done", _epochsDone);
            w.SetInt32("training.step_in_epoch", _stepInEpoch);
            w.SetInt32("training.rank", _options.Rank);
            w.SetFloat32("training.alpha", _options.EffectiveAlpha);
            foreach (var l in _net.Loras)
            {
                foreach (var (suffix, rows, cols) in Parts(l))
                {
                    w.AddTensor(l.BaseName + suffix, [cols, rows], GgmlType.F32);
                }
            }

            w.WriteHeader();
            foreach (var l in _net.Loras)
            {
                foreach (var a in new[] { l.A, l.B, l.MA, l.VA, l.MB, l.VB })
                {
                    w.WriteTensorFloats(a);
                }
            }

            w.Complete();
        }

        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Restores a checkpoint written by <see cref="SaveCheckpoint"/> for the same model and options.</summary>
    /// <exception cref="InvalidDataException">The checkpoint belongs to another model or another rank/target set.</exception>
    public void LoadCheckpoint(string path)
    {
        using var r = GgufReader.Open(path);
        if (r.GetString("general.type") != "rag.lora.checkpoint" || r.GetString(LoraAdapterFile.BaseModelFingerprintKey) != _fingerprint)
        {
            throw new InvalidDataException($"{path} is not a LoRA training checkpoint for this base model.");
        }

        if (r.GetInt64("training.rank") != _options.Rank)
        {
            throw new InvalidDataException($"{path} was trained with rank {r.GetInt64("training.rank")}, not {_options.Rank}.");
        }

        foreach (var l in _net.Loras)
        {
            var arrays = new[] { l.A, l.B, l.MA, l.VA, l.MB, l.VB };
            var i = 0;
            foreach (var (suffix, _, _) in Parts(l))
            {
                var t = r.FindTensor(l.BaseName + suffix) ?? throw new InvalidDataException($"{path} has no '{l.BaseName + suffix}': it was trained with other targets.");
                r.ReadTensorFloats(t, 0, arrays[i++]);
            }
        }

        _step = (int)(r.GetInt64("training.step") ?? 0);
        _epochsDone = (int)(r.GetInt64("training.epochs_done") ?? 0);
        _stepInEpoch = (int)(r.GetInt64("training.step_in_epoch") ?? 0);
    }

    private static IEnumerable<(string Suffix, long Rows, long Cols)> Parts(LoraLayer l) =>
    [
        (LoraAdapterFile.ASuffix, l.Rank, l.In), (LoraAdapterFile.BSuffix, l.Out, l.Rank),
        (".adam_ma", l.Rank, l.In), (".adam_va", l.Rank, l.In), (".adam_mb", l.Out, l.Rank), (".adam_vb", l.Out, l.Rank),
    ];

    // a stable seed per (run seed, epoch, step): HashCode.Combine differs between processes, and a resumed run must
    // shuffle and drop out exactly as the original would have
    private static int Mix(int seed, int epoch, int step) => unchecked((int)((((uint)seed * 2654435761u) ^ ((uint)epoch * 40503u)) + ((uint)(step + 1) * 2246822519u)));

    private double LearningRateAt(int step, int totalSteps, int warmup)
    {
        var lr = _options.LearningRate;
        if (step < warmup)
        {
            return lr * (step + 1) / warmup;
        }

        var progress = totalSteps - warmup <= 1 ? 1.0 : (double)(step - warmup) / (totalSteps - warmup - 1);
        var min = _options.MinLearningRateRatio;
        return lr * (min + ((1 - min) * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, progress)))));
    }

    private void OptimizerStep(double lr)
    {
        var o = _options;
        if (o.MaxGradientNorm > 0)
        {
            double sq = 0;
            foreach (var l in _net.Loras)
            {
                sq += System.Numerics.Tensors.TensorPrimitives.SumOfSquares(l.GradA) + System.Numerics.Tensors.TensorPrimitives.SumOfSquares(l.GradB);
            }

            var norm = Math.Sqrt(sq);
            if (norm > o.MaxGradientNorm)
            {
                var f = (float)(o.MaxGradientNorm / norm);
                foreach (var l in _net.Loras)
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(l.GradA, f, l.GradA);
                    System.Numerics.Tensors.TensorPrimitives.Multiply(l.GradB, f, l.GradB);
                }
            }
        }

        var t = _step + 1;
        var bc1 = 1 - Math.Pow(o.Beta1, t);
        var bc2 = 1 - Math.Pow(o.Beta2, t);
        foreach (var l in _net.Loras)
        {
            Adam(l.A, l.GradA, l.MA, l.VA, (float)lr, bc1, bc2);
            Adam(l.B, l.GradB, l.MB, l.VB, (float)lr, bc1, bc2);
        }
    }

    private void Adam(float[] p, float[] g, float[] m, float[] v, float lr, double bc1, double bc2)
    {
        float b1 = _options.Beta1, b2 = _options.Beta2, wd = _options.WeightDecay;
        const float Eps = 1e-8f;
        var c1 = (float)(1 / bc1);
        var c2 = (float)(1 / bc2);
        for (var i = 0; i < p.Length; i++)
        {
            m[i] = (b1 * m[i]) + ((1 - b1) * g[i]);
            v[i] = (b2 * v[i]) + ((1 - b2) * g[i] * g[i]);
            p[i] -= lr * ((m[i] * c1 / (MathF.Sqrt(v[i] * c2) + Eps)) + (wd * p[i]));
        }
    }
}
