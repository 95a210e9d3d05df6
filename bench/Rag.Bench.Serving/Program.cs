// Serving benchmarks: `serve` (continuous batching, compare with llama-batched-bench) and `embed` (embedding throughput).
// Usage: dotnet run -c Release --project bench/Rag.Bench.Serving -- serve --model PATH --streams 1,2,4,8,16 --tokens 64 --threads 2
//        dotnet run -c Release --project bench/Rag.Bench.Serving -- embed --model PATH --batches 1,8,32 --threads 2
using Rag.Model.Embeddings;
using Rag.Model.Serving;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
return args.Length == 0
    ? 2
    : args[0] switch
    {
        "serve" => await ServeBenchmark.RunAsync(args[1..], Console.Out, Console.Error, cts.Token),
        "embed" => await EmbeddingBenchmark.RunAsync(args[1..], Console.Out, Console.Error, cts.Token),
        _ => 2,
    };
