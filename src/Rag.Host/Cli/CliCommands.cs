using System.CommandLine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.AI;
using Rag.Ingest;

namespace Rag.Host.Cli;

/// <summary>All top-level commands.</summary>
internal static class CliCommands
{
    public static IEnumerable<Command> All(CliContext context)
    {
        yield return DemoCommand.Create(context);
        yield return AskCommand.Create(context);
        yield return PalCommand.Create(context);
        yield return ServeCommand.Create(context);
        yield return ChatCommand.Create();
        yield return ForwardedCommand.Create(context, "ingest", IngestCommand.Description, IngestCommand.Usage,
            (args, o, e, ct) => RunIngestAsync(context, args, o, e, ct));
        yield return EmbedCommand.Create(context);
        yield return ForwardedCommand.Create(context, "generate", "Generate a continuation of a prompt (prints the continuation only).",
            "rag generate --model PATH --prompt TEXT [--max-tokens N] [--temperature T] [--threads N] [--seed S] [--grammar GBNF|@file] [--ctx N] [--lora PATH [--lora-scale S]]...",
            GenerateCommand.RunAsync);
        yield return Model(context, "tokenize", "Print the token ids of a text as a JSON array.", "rag tokenize --model PATH --text TEXT");
        yield return Model(context, "perplexity", "Perplexity of a text file, llama.cpp's convention.",
            "rag perplexity --model PATH --file PATH [--ctx N] [--threads N]");

        var bench = new Command("bench", "Benchmarks.");
        bench.Subcommands.Add(ForwardedCommand.Create(context, "decode", "Greedy decode speed; prints tokens/s: X.",
            "rag bench decode --model PATH [--threads N] [--tokens N] [--ctx N] [--repeats N]",
            (args, o, e, ct) => ModelCommands.RunAsync(["bench", "decode", .. args], o, e, ct)));
        bench.Subcommands.Add(ForwardedCommand.Create(context, "serve", "Continuous-batching throughput; aggregate and per-stream tokens/s.",
            "rag bench serve --model PATH [--streams 1,2,4,8,16] [--tokens 64] [--prompt-tokens 128] [--threads 2] [--ctx 4096]",
            BenchServeCommand.RunAsync));
        bench.Subcommands.Add(ForwardedCommand.Create(context, "embed", "Embedding throughput at several batch sizes; texts/s and tokens/s.",
            "rag bench embed --model PATH [--batches 1,8,32] [--threads 2] [--texts 256] [--batch-tokens 512]",
            BenchEmbedCommand.RunAsync));
        yield return bench;

        var models = new Command("models", "Model metadata, quantization and synthetic models.");
        models.Subcommands.Add(ForwardedCommand.Create(context, "info", "Model metadata.", "rag models info --model PATH [--json]",
            (args, o, e, ct) => ModelCommands.RunAsync(["models", "info", .. args], o, e, ct)));
        models.Subcommands.Add(ForwardedCommand.Create(context, "gguf", "Raw GGUF summary read without native libraries (also works on LoRA adapters).",
            "rag models gguf --model PATH [--json]",
            (args, o, e, ct) => SyntheticModelCommands.RunAsync(["info", .. args], o, e, ct)));
        models.Subcommands.Add(ForwardedCommand.Create(context, "quantize", "Quantize a GGUF model (Q8_0, Q4_K_M, F16, …).",
            "rag models quantize --model IN --out OUT [--type Q8_0] [--threads N]",
            (args, o, e, ct) => ModelCommands.RunAsync(["models", "quantize", .. args], o, e, ct)));
        models.Subcommands.Add(ForwardedCommand.Create(context, "synth", "Write a synthetic random-weight model of a real shape.",
            "rag models synth --shape smollm2-135m|llama-3.2-1b|bert-tiny|reranker-tiny|custom --out PATH [--seed N] [--tokenizer-from PATH]",
            (args, o, e, ct) => SyntheticModelCommands.RunAsync(["synth", .. args], o, e, ct)));
        models.Subcommands.Add(ForwardedCommand.Create(context, "lora", "Write a random LoRA adapter for a base model.",
            "rag models lora --base PATH --out PATH [--rank N] [--seed N]",
            (args, o, e, ct) => SyntheticModelCommands.RunAsync(["lora", .. args], o, e, ct)));
        models.Subcommands.Add(ConvertCommand.Create(context));
        yield return models;

        var eval = new Command("eval", "Evaluation.");
        eval.Subcommands.Add(ForwardedCommand.Create(context, "retrieval", "nDCG@10, Recall@100 and MRR@10 on a BEIR data set.",
            "rag eval retrieval --dataset DIR [--retriever bm25|dense|hybrid[,...]] [--embedder minilm|arctic-xs|hashing|PATH] [--threads N] [--split test] [--report PATH]",
            EvalRetrievalCommand.RunAsync));
        eval.Subcommands.Add(EvalFaithfulnessCommand.Create(context));
        eval.Subcommands.Add(EvalExtractiveCommand.Create(context));
        eval.Subcommands.Add(EvalPalCommand.Create(context));
        yield return eval;
        yield return LoraMergeCommand.Group(context);
    }

    /// <summary>
    /// <c>rag ingest</c>: takes <c>--embedder NAME</c> (default MiniLM through ONNX Runtime; <c>hashing</c> only when asked)
    /// and <c>--embed-threads N</c> (default 0: ONNX Runtime's choice), then runs <see cref="IngestCommand"/> with the rest.
    /// </summary>
    internal static async Task<int> RunIngestAsync(CliContext context, string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var (name, rest) = CliEmbedders.TakeOption(args);
        var (threadsText, forwarded) = CliEmbedders.TakeOption(rest, "--embed-threads");
        int threads = CliEmbedders.ParseThreads(threadsText, "--embed-threads", 0);
        using var loggers = context.CreateLoggerFactory(LogLevel.Warning);
        using var embedder = forwarded.Contains("--no-vectors") ? null : CliEmbedders.Create(name, threads, loggers);
        if (embedder is not null)
        {
            await stderr.WriteLineAsync($"embedder: {CliEmbedders.Describe(embedder)}").ConfigureAwait(false);
        }

        return await CreateIngestCommand(context, embedder).RunAsync(forwarded, stdout, stderr, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The ingest command over <paramref name="embedder"/> (null: keywords only), logs to stderr.</summary>
    internal static IngestCommand CreateIngestCommand(CliContext context, IEmbeddingGenerator<string, Embedding<float>>? embedder, RagIngestOptions? options = null) =>
        new(options, embedder, loggerFactory: context.CreateLoggerFactory(LogLevel.Warning));

    private static Command Model(CliContext context, string verb, string description, string usage) =>
        ForwardedCommand.Create(context, verb, description, usage, (args, o, e, ct) => ModelCommands.RunAsync([verb, .. args], o, e, ct));
}
