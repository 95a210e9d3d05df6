// LLamaSharp 0.30.0 measured the way `rag bench decode` and `rag bench serve` measure Rag.Model, on the same GGUF file:
//   decode --model PATH [--threads 1] [--tokens 128] [--ctx 2048] [--repeats 5]
//       greedy single-sequence decode loop (LLamaContext.Decode + GreedySamplingPipeline), EOS ignored, clock from the
//       first generated token; prints "tokens/s: X" (best run) and "cpu tokens/s: X".
//   serve --model PATH [--streams 8,16] [--tokens 64] [--prompt-tokens 128] [--threads 2] [--ctx 4096]
//       N conversations of one BatchedExecutor, random prompt tokens (seed 1234, like ours), all prompts prefilled in
//       one Infer, then one token per conversation per Infer; prints "streams: N  aggregate decode tokens/s: X ..." over
//       the decode-only steps (sampling included), the same definition as ours.
using System.Diagnostics;
using System.Globalization;
using LLama;
using LLama.Batched;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;

if (args.Length == 0 || args[0] is not ("decode" or "serve"))
{
    Console.Error.WriteLine("usage: Rag.Bench.LLamaSharp decode|serve --model PATH [options]");
    return 2;
}

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i < args.Length; i++)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"unexpected argument '{args[i]}'");
        return 2;
    }

    options[args[i][2..]] = args[++i];
}

int Int(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var modelPath = options.GetValueOrDefault("model") ?? throw new ArgumentException("--model is required");
if (Environment.GetEnvironmentVariable("LLAMASHARP_BENCH_LOG") is null)
{
    NativeLibraryConfig.All.WithLogCallback((_, _) => { });
}

return args[0] == "decode"
    ? Decode(modelPath, Int("threads", 1), Int("tokens", 128), Int("ctx", 2048), Int("repeats", 5))
    : await Serve(modelPath, options.GetValueOrDefault("streams", "8,16").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
        Int("tokens", 64), Int("prompt-tokens", 128), Int("threads", 2), Int("ctx", 4096));

static int Decode(string path, int threads, int tokens, int ctxSize, int repeats)
{
    var p = new ModelParams(path) { ContextSize = (uint)ctxSize, Threads = threads, BatchThreads = threads, BatchSize = 512, GpuLayerCount = 0 };
    using var weights = LLamaWeights.LoadFromFile(p);
    using var context = weights.CreateContext(p);
    var prompt = context.Tokenize("Once upon a time", addBos: true, special: true);
    var batch = new LLamaBatch();
    var sampler = new GreedySamplingPipeline();

    (double Wall, double Cpu) RunOnce()
    {
        context.NativeHandle.MemoryClear();
        batch.Clear();
        for (var i = 0; i < prompt.Length; i++)
        {
            batch.Add(prompt[i], i, LLamaSeqId.Zero, i == prompt.Length - 1);
        }

        Check(context.Decode(batch));
        var index = batch.TokenCount - 1;
        var pos = prompt.Length;
        var token = sampler.Sample(context.NativeHandle, index);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        for (var n = 0; n < tokens; n++)
        {
            batch.Clear();
            batch.Add(token, pos++, LLamaSeqId.Zero, true);
            Check(context.Decode(batch));
            token = sampler.Sample(context.NativeHandle, 0);
        }

        var wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        return (tokens / wall, tokens / cpu);
    }

    var warm = Stopwatch.StartNew();
    do
    {
        RunOnce();
    }
    while (warm.Elapsed < TimeSpan.FromSeconds(1));

    var runs = Enumerable.Range(0, repeats).Select(_ => RunOnce()).ToList();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpu tokens/s: {runs.Max(r => r.Cpu):F1}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median tokens/s: {runs.Select(r => r.Wall).Order().ElementAt(runs.Count / 2):F1}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tokens/s: {runs.Max(r => r.Wall):F1}"));
    return 0;
}

static async Task<int> Serve(string path, int[] streams, int tokens, int promptTokens, int threads, int ctxSize)
{
    var p = new ModelParams(path)
    {
        ContextSize = (uint)ctxSize, BatchSize = 2048, UBatchSize = 512, SeqMax = (uint)streams.Max(),
        Threads = threads, BatchThreads = threads, GpuLayerCount = 0,
    };
    using var weights = LLamaWeights.LoadFromFile(p);
    var rng = new Random(1234);
    var vocab = weights.Vocab.Count;
    LLamaToken[] Prompt() => Enumerable.Range(0, promptTokens).Select(_ => (LLamaToken)rng.Next(3, vocab)).ToArray();

    // Warm-up: first touch of the weights, as in ours. Each run gets a fresh executor: LLamaSharp hands out new sequence
    // ids and does not clear a disposed conversation's cells before reusing its id.
    await Run(weights, p, [Prompt()], Math.Min(8, tokens));
    foreach (var n in streams)
    {
        var (rate, cpuRate) = await Run(weights, p, Enumerable.Range(0, n).Select(_ => Prompt()).ToArray(), tokens);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"streams: {n}  aggregate decode tokens/s: {rate:F1}  decode tokens/cpu-s: {cpuRate:F1}"));
    }

    return 0;
}

static async Task<(double Rate, double CpuRate)> Run(LLamaWeights weights, ModelParams p, LLamaToken[][] prompts, int tokens)
{
    using var executor = new BatchedExecutor(weights, p, null!);
    var conversations = prompts.Select(_ => executor.Create()).ToArray();
    var samplers = prompts.Select(_ => new GreedySamplingPipeline()).ToArray();
    try
    {
        for (var i = 0; i < prompts.Length; i++)
        {
            conversations[i].Prompt(prompts[i]);
        }

        Check(await executor.Infer(CancellationToken.None));
        for (var i = 0; i < conversations.Length; i++)
        {
            conversations[i].Prompt(conversations[i].Sample(samplers[i]));
        }

        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        for (var step = 1; step < tokens; step++)
        {
            Check(await executor.Infer(CancellationToken.None));
            for (var i = 0; i < conversations.Length; i++)
            {
                conversations[i].Prompt(conversations[i].Sample(samplers[i]));
            }
        }

        var wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        var generated = prompts.Length * (tokens - 1);
        return (generated / wall, generated / cpu);
    }
    finally
    {
        foreach (var c in conversations)
        {
            c.Dispose();
        }

        foreach (var s in samplers)
        {
            s.Dispose();
        }
    }
}

static void Check(DecodeResult result)
{
    if (result != DecodeResult.Ok)
    {
        throw new InvalidOperationException($"llama_decode returned {result}");
    }
}
