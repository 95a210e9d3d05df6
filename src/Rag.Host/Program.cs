using Rag.Host.Cli;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};
return await RagCli.RunAsync(args, Console.Out, Console.Error, cts.Token).ConfigureAwait(false);
