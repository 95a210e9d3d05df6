using Rag.Bench.Retrieval;

// Subcommands: faiss-1m, flat, bm25-latency, bm25-query-latency, index-throughput. Results go to stdout, progress to stderr.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Rag.Bench faiss-1m|flat|bm25-latency|bm25-query-latency|index-throughput|bm25-grid [options] (retrieval quality: ./rag eval retrieval)");
    return 2;
}

return args[0] switch
{
    "faiss-1m" => FaissMillionBench.Run(args[1..]),
    "flat" => FlatCompareBench.Run(args[1..]),
    "bm25-latency" => await Bm25LatencyBench.Latency(args[1..]),
    "bm25-query-latency" => await StoreQueryLatencyBench.Run(args[1..]),
    "index-throughput" => await Bm25LatencyBench.Throughput(args[1..]),
    "bm25-grid" => await Bm25Probe.Run(args[1..]),
    _ => Unknown(args[0]),
};

static int Unknown(string name)
{
    Console.Error.WriteLine($"unknown benchmark '{name}'");
    return 2;
}
