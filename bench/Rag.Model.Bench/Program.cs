using Rag.Model.Gguf;
using Rag.Model.Cli;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
if (args.Length > 1 && args[0] == "models" && args[1] is "synth" or "lora")
{
    return await SyntheticModelCommands.RunAsync(args[1..], Console.Out, Console.Error, cts.Token);
}

return await ModelCommands.RunAsync(args, Console.Out, Console.Error, cts.Token);
