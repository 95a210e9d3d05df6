using System.CommandLine;
using Rag.Training;

namespace Rag.Host.Cli;

/// <summary><c>rag lora merge</c>: folds an adapter into its base model and writes a new GGUF model.</summary>
internal static class LoraMergeCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "Base GGUF model.", Required = true };
        var adapter = new Option<string>("--lora") { Description = "GGUF LoRA adapter made for that model.", Required = true };
        var output = new Option<string>("--out") { Description = "The merged model to write.", Required = true };
        var scale = new Option<float>("--lora-scale") { Description = "Adapter scale.", DefaultValueFactory = _ => 1f };
        var command = new Command("merge", "Merge a LoRA adapter into a new base GGUF (W + scale·alpha/r·B·A).") { model, adapter, output, scale };
        command.SetAction((parse, ct) =>
        {
            foreach (var p in new[] { parse.GetValue(model)!, parse.GetValue(adapter)! })
            {
                if (!File.Exists(p))
                {
                    throw new FileNotFoundException($"not found: {p} (pass an existing GGUF file)");
                }
            }

            var n = LoraMerger.Merge(parse.GetValue(model)!, parse.GetValue(adapter)!, parse.GetValue(output)!, parse.GetValue(scale), ct);
            context.Out.WriteLine($"merged {n} weights into {parse.GetValue(output)}");
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>The <c>lora</c> command group.</summary>
    public static Command Group(CliContext context) =>
        new("lora", "LoRA adapters: train, merge, bench.") { LoraTrainCommand.Create(context), Create(context), LoraBenchCommand.Create(context) };
}
