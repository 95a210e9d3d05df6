using System.CommandLine;
using System.Globalization;
using Rag.Model;
using Rag.Model.Native;
using Rag.Training;

namespace Rag.Host.Cli;

/// <summary>
/// <c>rag lora train</c>: trains a LoRA adapter on a JSONL file with the managed trainer and writes a GGUF adapter
/// that llama.cpp loads (<c>rag generate --lora</c>). Progress goes to stderr; the per-epoch table to stdout.
/// </summary>
internal static class LoraTrainCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "Base GGUF model (llama architecture; F32, F16, BF16 or Q4_0..Q8_0/K-quants).", Required = true };
        var data = new Option<string>("--data") { Description = "JSONL: {\"prompt\",\"completion\"} or {\"messages\":[...]} per line.", Required = true };
        var output = new Option<string>("--out") { Description = "The adapter file to write.", Required = true };
        var d = new LoraTrainingOptions();
        var rank = new Option<int>("--rank") { Description = "LoRA rank.", DefaultValueFactory = _ => d.Rank };
        var alpha = new Option<float?>("--alpha") { Description = "LoRA alpha (default 2 × rank)." };
        var dropout = new Option<float>("--dropout") { Description = "Dropout on the LoRA input.", DefaultValueFactory = _ => d.Dropout };
        var targets = new Option<string>("--targets") { Description = "Adapted weights: comma-separated q,k,v,o,gate,up,down.", DefaultValueFactory = _ => string.Join(',', d.Targets) };
        var epochs = new Option<int>("--epochs") { Description = "Epochs.", DefaultValueFactory = _ => d.Epochs };
        var lr = new Option<float>("--lr") { Description = "Peak learning rate (AdamW, warmup then cosine).", DefaultValueFactory = _ => d.LearningRate };
        var batch = new Option<int>("--batch-size") { Description = "Examples per micro-batch.", DefaultValueFactory = _ => d.BatchSize };
        var accumulate = new Option<int>("--grad-accum") { Description = "Micro-batches per optimizer step.", DefaultValueFactory = _ => d.GradientAccumulationSteps };
        var threads = new Option<int>("--threads") { Description = "Threads of the matrix kernels.", DefaultValueFactory = _ => d.Threads };
        var evalSplit = new Option<double>("--eval-split") { Description = "Held-out fraction for loss and perplexity per epoch.", DefaultValueFactory = _ => 0.1 };
        var ctx = new Option<int>("--ctx") { Description = "Longest example in tokens (default: the model's context).", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seed.", DefaultValueFactory = _ => d.Seed };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint file, written after each epoch and on Ctrl+C." };
        var resume = new Option<bool>("--resume") { Description = "Resume from --checkpoint." };
        var command = new Command("train", "Train a LoRA adapter (managed forward/backward over the frozen base).")
        {
            model, data, output, rank, alpha, dropout, targets, epochs, lr, batch, accumulate, threads, evalSplit, ctx, seed, checkpoint, resume,
        };
        command.SetAction((parse, ct) =>
        {
            var options = new LoraTrainingOptions
            {
                Rank = parse.GetValue(rank), Alpha = parse.GetValue(alpha), Dropout = parse.GetValue(dropout),
                Targets = parse.GetValue(targets)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Epochs = parse.GetValue(epochs), LearningRate = parse.GetValue(lr), BatchSize = parse.GetValue(batch),
                GradientAccumulationSteps = parse.GetValue(accumulate), Threads = parse.GetValue(threads), Seed = parse.GetValue(seed),
                CheckpointPath = parse.GetValue(checkpoint), Resume = parse.GetValue(resume),
            };
            options.Validate();
            var modelPath = parse.GetValue(model)!;
            if (!File.Exists(modelPath))
            {
                throw new FileNotFoundException($"model not found: {modelPath} (pass --model PATH to a GGUF file)");
            }

            LlamaBackend.Initialize(new LlamaBackendOptions { NativeLogLevel = Microsoft.Extensions.Logging.LogLevel.Error });
            IReadOnlyList<TrainingExample> examples;
            using (var tokenizer = LlamaModel.Load(modelPath, new LlamaModelLoadOptions { VocabOnly = true }, cancellationToken: ct))
            {
                var dataPath = parse.GetValue(data)!;
                if (!File.Exists(dataPath))
                {
                    throw new FileNotFoundException($"data not found: {dataPath} (pass --data PATH to a JSONL file)");
                }

                try
                {
                    // a vocabulary-only model reports no context length: take the file's
                    var context = parse.GetValue(ctx) is > 0 and var c ? c : (int)(Rag.Model.Gguf.GgufModelInfo.FromFile(modelPath).ContextLength ?? 2048);
                    examples = TrainingDataset.LoadJsonl(dataPath, tokenizer, context);
                }
                catch (TrainingDataException e)
                {
                    throw new InvalidDataException($"{e.Message} (fix that line of the data file)", e);
                }
            }

            var (train, eval) = TrainingDataset.Split(examples, parse.GetValue(evalSplit), options.Seed);
            LoraTrainer trainer;
            try
            {
                trainer = LoraTrainer.Create(modelPath, options);
            }
            catch (NotSupportedException e)
            {
                throw new InvalidDataException($"{e.Message} (use a llama-architecture GGUF model)", e);
            }

            var err = context.Error;
            err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"lora train: {train.Count} training / {eval.Count} held-out examples, rank {options.Rank}, alpha {options.EffectiveAlpha}, {trainer.TrainableParameters} trainable parameters"));
            var result = trainer.Train(train, eval, new TrainProgress(err), ct);
            err.WriteLine();
            var o = context.Out;
            if (result.InitialEvalLoss is { } initial)
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch 0: eval loss {initial:F4} perplexity {Math.Exp(initial):F3}"));
            }

            foreach (var e in result.Epochs)
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {e.Epoch}: train loss {e.TrainLoss:F4}{(e.EvalLoss is { } l ? $" eval loss {l:F4} perplexity {Math.Exp(l):F3}" : string.Empty)}"));
            }

            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tokens/s: {result.TokensPerSecond:F1}"));
            var outPath = parse.GetValue(output)!;
            trainer.ExportAdapter(Path.GetFileNameWithoutExtension(outPath)).Write(outPath);
            o.WriteLine($"adapter: {outPath}");
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>A one-line progress bar on stderr.</summary>
    private sealed class TrainProgress(TextWriter error) : IProgress<LoraTrainingProgress>
    {
        public void Report(LoraTrainingProgress value)
        {
            const int width = 30;
            var filled = value.TotalSteps == 0 ? width : width * value.Step / value.TotalSteps;
            error.Write(string.Create(CultureInfo.InvariantCulture,
                $"\repoch {value.Epoch}/{value.Epochs} [{new string('#', filled)}{new string('.', width - filled)}] step {value.Step}/{value.TotalSteps} loss {value.Loss:F4} lr {value.LearningRate:E2} {value.TokensPerSecond:F0} tok/s"));
            if (value.EvalLoss is { } l)
            {
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $" eval {l:F4}"));
            }
        }
    }
}
