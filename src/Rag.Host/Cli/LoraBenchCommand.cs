using System.CommandLine;
using System.Globalization;
using Rag.Training;

namespace Rag.Host.Cli;

/// <summary><c>rag lora bench</c>: training tokens/s of one step at each thread count, beside FLOPs/token and the measured matmul rate.</summary>
internal static class LoraBenchCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "Base GGUF model.", Required = true };
        var threads = new Option<string>("--threads") { Description = "Comma-separated thread counts.", DefaultValueFactory = _ => "1,2" };
        var tokens = new Option<int>("--tokens") { Description = "Sequence length of the measured step.", DefaultValueFactory = _ => 128 };
        var rank = new Option<int>("--rank") { Description = "LoRA rank.", DefaultValueFactory = _ => 8 };
        var repeats = new Option<int>("--repeats") { Description = "Measured steps (best is reported).", DefaultValueFactory = _ => 3 };
        var command = new Command("bench", "Training throughput (one step) and the arithmetic bound.") { model, threads, tokens, rank, repeats };
        command.SetAction((parse, ct) =>
        {
            foreach (var n in parse.GetValue(threads)!.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)))
            {
                var r = LoraTrainingBenchmark.Measure(parse.GetValue(model)!, n, parse.GetValue(tokens), parse.GetValue(rank), parse.GetValue(repeats), ct);
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"threads: {r.Threads}  tokens/s: {r.TokensPerSecond:F1}  step: {r.StepSeconds * 1000:F1} ms ({r.SequenceTokens} tokens)  MFLOP/token: {r.FlopsPerToken / 1e6:F2}  matmul GFLOP/s: {r.MatmulGflops:F2}  bound tokens/s: {r.BoundTokensPerSecond:F0}  efficiency: {r.Efficiency:P0}"));
            }

            return Task.FromResult(0);
        });
        return command;
    }
}
