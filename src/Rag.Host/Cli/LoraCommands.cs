using Microsoft.Extensions.Logging;
using Rag.Model.Native;
using Rag.Model.Inference;
using Rag.Model.Sampling;
using Rag.Model;
using Rag.Model.Lora;

namespace Rag.Host.Cli;

/// <summary>
/// Logic of <c>rag generate ... --lora PATH [--lora-scale S]</c> (repeatable): loads the adapters once, activates them
/// on the context and prints the continuation only. Logs and errors go to stderr.
/// </summary>
internal static class LoraCommands
{
    /// <summary>
    /// Generates with LoRA adapters. <paramref name="loraScales"/> pairs with <paramref name="loraPaths"/> by position;
    /// missing scales are 1. Returns 0 on success, 1 on failure (bad adapter, model, prompt), 2 on bad arguments.
    /// </summary>
    public static async Task<int> GenerateAsync(string model, string prompt, int maxTokens, float temperature, int threads, uint? seed,
        IReadOnlyList<string> loraPaths, IReadOnlyList<float>? loraScales, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken = default, int contextSize = 2048)
    {
        ArgumentNullException.ThrowIfNull(loraPaths);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        loraScales ??= [];
        if (loraScales.Count > loraPaths.Count)
        {
            await stderr.WriteLineAsync($"{loraScales.Count} --lora-scale values for {loraPaths.Count} --lora adapters.").ConfigureAwait(false);
            return 2;
        }

        if (maxTokens < 0 || threads < 1)
        {
            await stderr.WriteLineAsync("--max-tokens must be >= 0 and --threads >= 1.").ConfigureAwait(false);
            return 2;
        }

        var log = new TextWriterLogger(stderr, LogLevel.Warning);
        var adapters = new List<LlamaLoraAdapter>();
        try
        {
            LlamaBackend.Initialize(logger: log);
            using var m = LlamaModel.Load(model, logger: log, cancellationToken: cancellationToken);
            for (var i = 0; i < loraPaths.Count; i++)
            {
                adapters.Add(LlamaLoraAdapter.Load(m, loraPaths[i], log));
            }

            var set = new LoraAdapterSet(adapters.Select((a, i) => new LoraAdapterScale(a, i < loraScales.Count ? loraScales[i] : 1f)));
            using var ctx = m.CreateContext(new LlamaContextOptions { ContextSize = contextSize, Threads = threads });
            using var scope = ctx.UseLoraAdapters(set);
            var sampling = temperature <= 0 ? SamplingOptions.Greedy : new SamplingOptions { Temperature = temperature };
            sampling.Seed = seed;
            await foreach (var t in ctx.GenerateAsync(prompt, new GenerationOptions { MaxTokens = maxTokens, Sampling = sampling }, cancellationToken).ConfigureAwait(false))
            {
                await stdout.WriteAsync(t.Text).ConfigureAwait(false);
            }

            await stdout.WriteLineAsync().ConfigureAwait(false);
            await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (ex is LlamaLoraAdapterException or LlamaModelLoadException or LlamaContextOverflowException or FileNotFoundException or ArgumentException or LlamaNativeLibraryException)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        finally
        {
            foreach (var a in adapters)
            {
                a.Dispose();
            }
        }
    }
}
