using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.AI;
using Rag.Core.Evaluation;
using Rag.Core.Indexing;
using Rag.Core.Retrieval;
using Rag.Ingest;
using Rag.Tools.Benchmarks;

namespace Rag.Host.Cli;

/// <summary>All top-level commands, typed: every option is declared here with its description and default.</summary>
internal static class CliCommands
{
    public static IEnumerable<Command> All(CliContext context)
    {
        yield return DemoCommand.Create(context);
        yield return AskCommand.Create(context);
        yield return PalCommand.Create(context);
        yield return ServeCommand.Create(context);
        yield return ChatCommand.Create(context);
        yield return Ingest(context);
        yield return EmbedCommand.Create(context);
        yield return Generate(context);
        yield return Tokenize(context);
        yield return Perplexity(context);

        var bench = new Command("bench", "Benchmarks.");
        bench.Subcommands.Add(BenchDecode(context));
        bench.Subcommands.Add(BenchServe(context));
        bench.Subcommands.Add(BenchEmbed(context));
        yield return bench;

        var models = new Command("models", "Model metadata, quantization and synthetic models.");
        models.Subcommands.Add(ModelsInfo(context));
        models.Subcommands.Add(ModelsGguf(context));
        models.Subcommands.Add(ModelsQuantize(context));
        models.Subcommands.Add(ModelsSynth(context));
        models.Subcommands.Add(ModelsLora(context));
        models.Subcommands.Add(ConvertCommand.Create(context));
        yield return models;

        var eval = new Command("eval", "Evaluation.");
        eval.Subcommands.Add(EvalRetrieval(context));
        eval.Subcommands.Add(EvalFaithfulnessCommand.Create(context));
        eval.Subcommands.Add(EvalExtractiveCommand.Create(context));
        eval.Subcommands.Add(EvalPalCommand.Create(context));
        yield return eval;
        yield return LoraMergeCommand.Group(context);

        yield return ScriptCommand("setup", "Install what is missing (Debian packages, llama.cpp native libraries, the FAISS shim, NuGet packages) and build. Run by the ./rag script.");
        var test = ScriptCommand("test", "Run the default test suite (everything except Category=Slow) and print 'N passed, N failed'. Run by the ./rag script; " +
            "extra arguments go to dotnet test (for example --filter NAME).");
        test.TreatUnmatchedTokensAsErrors = false;
        yield return test;
    }

    /// <summary>The ingest command over <paramref name="embedder"/> (null: keywords only), logs to stderr.</summary>
    internal static IngestCommand CreateIngestCommand(CliContext context, IEmbeddingGenerator<string, Embedding<float>>? embedder, RagIngestOptions? options = null) =>
        new(options, embedder, loggerFactory: context.CreateLoggerFactory(LogLevel.Warning));

    private static Command ScriptCommand(string name, string description)
    {
        var command = new Command(name, description);
        command.SetAction(new Func<ParseResult, int>(_ => throw new CliUsageException($"'{name}' is run by the ./rag script, not by the rag binary", $"run ./rag {name}")));
        return command;
    }

    private static Command Ingest(CliContext context)
    {
        var defaults = new RagIngestOptions();
        var paths = new Argument<string[]>("paths") { Description = "Files and folders to ingest.", Arity = ArgumentArity.ZeroOrMore };
        var index = new Option<string>("--index") { Description = "Index folder.", DefaultValueFactory = _ => Path.Combine(".rag", "index") };
        var root = new Option<string?>("--root") { Description = "Folder document ids are relative to (default: the index's recorded root, else the inputs' common folder)." };
        var keepMissing = new Option<bool>("--keep-missing") { Description = "Keep indexed documents whose files are gone from the given folders (default: remove them)." };
        var reindex = new Option<bool>("--reindex") { Description = "Rebuild the index from these inputs with the current settings." };
        var delete = new Option<string[]>("--delete") { Description = "Delete a document id before ingesting (repeatable).", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var maxTokens = CliOptions.Int("--max-tokens", "Chunk size in tokens.", defaults.Chunking.MaxTokens, 1, 1_000_000);
        var overlap = CliOptions.OptionalInt("--overlap", $"Chunk overlap in tokens (default {defaults.Chunking.OverlapTokens}, or an eighth of --max-tokens when that is smaller).", 0, 1_000_000);
        var commitEvery = CliOptions.Int("--commit-every", "Documents per commit.", defaults.Ingestion.CommitEveryDocuments, 1, 1_000_000);
        var noVectors = new Option<bool>("--no-vectors") { Description = "Index keywords only, without vectors." };
        var lockTimeout = CliOptions.OptionalInt("--lock-timeout", "Seconds to wait for another writer of the same index (default 30).", 0, 86_400);
        var embedder = new Option<string?>(CliEmbedders.OptionName) { Description = CliEmbedders.Help };
        var embedThreads = CliOptions.Int("--embed-threads", "Embedding threads; 0 = ONNX Runtime's choice.", 0, 0, 1024);
        var command = new Command("ingest", IngestCommand.Description)
        {
            paths, index, root, keepMissing, reindex, delete, maxTokens, overlap, commitEvery, noVectors, lockTimeout, embedder, embedThreads,
        };
        command.Validators.Add(r =>
        {
            if ((r.GetValue(paths) ?? []).Length == 0 && (r.GetValue(delete) ?? []).Length == 0)
            {
                r.AddError("give at least one file or folder to ingest (or --delete ID)");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            using var loggers = context.CreateLoggerFactory(LogLevel.Warning);
            using var generator = parse.GetValue(noVectors) ? null : CliEmbedders.Create(parse.GetValue(embedder), parse.GetValue(embedThreads), loggers);
            if (generator is not null)
            {
                await context.Error.WriteLineAsync($"embedder: {CliEmbedders.Describe(generator)}").ConfigureAwait(false);
            }

            return await CreateIngestCommand(context, generator).RunAsync(new IngestCommandArgs
        {
            LockTimeoutSeconds = parse.GetValue(lockTimeout),
            Paths = parse.GetValue(paths) ?? [],
            Delete = parse.GetValue(delete) ?? [],
            IndexDirectory = parse.GetValue(index),
            Root = parse.GetValue(root),
            KeepMissing = parse.GetValue(keepMissing),
            Reindex = parse.GetValue(reindex),
            MaxTokens = parse.GetValue(maxTokens),
            OverlapTokens = parse.GetValue(overlap),
            CommitEvery = parse.GetValue(commitEvery),
            NoVectors = parse.GetValue(noVectors),
        }, context.Out, context.Error, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Option<string> Model(string description = "GGUF model file.") => CliOptions.ExistingFile("--model", description);

    private static Option<int> Threads(int defaultValue = 1) => CliOptions.Int("--threads", "llama.cpp threads.", defaultValue, 1, 1024);

    private static Option<int> Context(int defaultValue) => CliOptions.Int("--ctx", "Context size in tokens.", defaultValue, 16, 1 << 20);

    private static Command Generate(CliContext context)
    {
        var model = Model();
        var prompt = CliOptions.RequiredText("--prompt", "The prompt to continue.");
        var maxTokens = CliOptions.Int("--max-tokens", "Most tokens generated.", 128, 0, 1_000_000);
        var temperature = CliOptions.Float("--temperature", "Sampling temperature; 0 is greedy.", 0.8f, 0, 100);
        var threads = Threads();
        var seed = new Option<uint?>("--seed") { Description = "Sampling seed (default: random)." };
        var grammar = new Option<string?>("--grammar") { Description = "GBNF grammar constraining the output: the text, or @FILE (default: none)." };
        var ctx = Context(2048);
        var stop = new Option<string[]>("--stop") { Description = "Stop string (repeatable; default: none).", AllowMultipleArgumentsPerToken = false };
        var lora = new Option<string[]>("--lora") { Description = "LoRA adapter GGUF (repeatable; default: none).", AllowMultipleArgumentsPerToken = false };
        var loraScale = new Option<float[]>("--lora-scale") { Description = "Scale of the --lora at the same position (repeatable; default 1).", AllowMultipleArgumentsPerToken = false };
        lora.Validators.Add(r =>
        {
            foreach (var path in CliOptions.Value<string[]>(r) ?? [])
            {
                if (!File.Exists(path))
                {
                    r.AddError($"--lora: file not found: {path}");
                }
            }
        });
        var command = new Command("generate", "Generate a continuation of a prompt (prints the continuation only).")
        {
            model, prompt, maxTokens, temperature, threads, seed, grammar, ctx, stop, lora, loraScale,
        };
        command.SetAction((parse, ct) => ModelCommands.GenerateAsync(parse.GetValue(model)!, parse.GetValue(prompt)!, parse.GetValue(maxTokens),
            parse.GetValue(temperature), parse.GetValue(threads), parse.GetValue(seed), parse.GetValue(grammar), context.Out, context.Error, ct,
            parse.GetValue(ctx), parse.GetValue(stop), parse.GetValue(lora), parse.GetValue(loraScale)));
        return command;
    }

    private static Command Tokenize(CliContext context)
    {
        var model = Model();
        var text = new Option<string>("--text") { Description = "The text to tokenize.", Required = true };
        var command = new Command("tokenize", "Print the token ids of a text as a JSON array.") { model, text };
        command.SetAction((parse, ct) => ModelCommands.TokenizeAsync(parse.GetValue(model)!, parse.GetValue(text)!, context.Out, context.Error, ct));
        return command;
    }

    private static Command Perplexity(CliContext context)
    {
        var model = Model();
        var file = CliOptions.ExistingFile("--file", "Text file to score.");
        var ctx = Context(512);
        var threads = Threads();
        var command = new Command("perplexity", "Perplexity of a text file, llama.cpp's convention (per-chunk values on stderr, 'perplexity: X' last on stdout).")
        {
            model, file, ctx, threads,
        };
        command.SetAction((parse, ct) => ModelCommands.PerplexityAsync(parse.GetValue(model)!, parse.GetValue(file)!, parse.GetValue(ctx), parse.GetValue(threads),
            context.Out, context.Error, ct));
        return command;
    }

    private static Command BenchDecode(CliContext context)
    {
        var model = Model();
        var threads = Threads();
        var tokens = CliOptions.Int("--tokens", "Tokens decoded per run.", 128, 1, 1_000_000);
        var ctx = Context(2048);
        var repeats = CliOptions.Int("--repeats", "Timed runs (the best is reported).", 5, 1, 1000);
        var prompt = new Option<string>("--prompt") { Description = "Prompt decoded before timing.", DefaultValueFactory = _ => "Once upon a time" };
        var command = new Command("decode", "Greedy decode speed; prints tokens/s: X.") { model, threads, tokens, ctx, repeats, prompt };
        command.SetAction((parse, ct) => ModelCommands.BenchDecodeAsync(parse.GetValue(model)!, parse.GetValue(threads), parse.GetValue(tokens), context.Out, context.Error, ct,
            parse.GetValue(ctx), parse.GetValue(repeats), parse.GetValue(prompt)!));
        return command;
    }

    private static Option<string> IntList(string name, string description, string defaultValue)
    {
        var option = new Option<string>(name) { Description = description + " (comma-separated).", DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            if (ParseIntList(CliOptions.Value<string>(r) ?? string.Empty) is null)
            {
                r.AddError($"{name} must be positive whole numbers separated by commas, not '{CliOptions.Value<string>(r)}'");
            }
        });
        return option;
    }

    private static int[]? ParseIntList(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new List<int>();
        foreach (var p in parts)
        {
            if (!int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < 1)
            {
                return null;
            }

            values.Add(v);
        }

        return values.Count == 0 ? null : [.. values];
    }

    private static Command BenchServe(CliContext context)
    {
        var model = Model();
        var streams = IntList("--streams", "Concurrent streams measured", "1,2,4,8,16");
        var tokens = CliOptions.Int("--tokens", "Tokens generated per stream.", 64, 1, 1_000_000);
        var promptTokens = CliOptions.Int("--prompt-tokens", "Prompt tokens per stream.", 128, 1, 1_000_000);
        var threads = Threads(2);
        var fixedThreads = new Option<bool>("--fixed-threads") { Description = "Turn adaptive threads off." };
        var ctx = Context(4096);
        var unified = new Option<bool>("--unified-kv") { Description = "One KV-cell pool shared by all sequences." };
        var repeat = CliOptions.Int("--repeat", "Runs per stream count.", 1, 1, 1000);
        var command = new Command("serve", "Continuous-batching throughput; aggregate and per-stream tokens/s.")
        {
            model, streams, tokens, promptTokens, threads, fixedThreads, ctx, unified, repeat,
        };
        command.SetAction((parse, ct) => BenchServeCommand.RunAsync(new ServeBenchmarkArguments
        {
            ModelPath = parse.GetValue(model)!,
            Streams = ParseIntList(parse.GetValue(streams)!)!,
            Tokens = parse.GetValue(tokens),
            PromptTokens = parse.GetValue(promptTokens),
            Threads = parse.GetValue(threads),
            ContextSize = parse.GetValue(ctx),
            UnifiedKvCache = parse.GetValue(unified),
            FixedThreads = parse.GetValue(fixedThreads),
            Repeat = parse.GetValue(repeat),
        }, context.Out, ct));
        return command;
    }

    private static Command BenchEmbed(CliContext context)
    {
        var model = Model("GGUF embedding model file.");
        var batches = IntList("--batches", "Batch sizes measured", "1,8,32");
        var threads = Threads(2);
        var texts = CliOptions.Int("--texts", "Texts embedded per batch size.", 256, 1, 1_000_000);
        var batchTokens = CliOptions.Int("--batch-tokens", "Most tokens in one batched decode.", 512, 1, 1 << 20);
        var command = new Command("embed", "Embedding throughput at several batch sizes; texts/s and tokens/s.") { model, batches, threads, texts, batchTokens };
        command.SetAction((parse, ct) => BenchEmbedCommand.RunAsync(parse.GetValue(model)!, ParseIntList(parse.GetValue(batches)!)!, parse.GetValue(threads),
            parse.GetValue(texts), parse.GetValue(batchTokens), context.Out, ct));
        return command;
    }

    private static Option<bool> Json() => new("--json") { Description = "Print JSON instead of aligned text." };

    private static Command ModelsInfo(CliContext context)
    {
        var model = Model();
        var json = Json();
        var command = new Command("info", "Model metadata (loads the model through llama.cpp).") { model, json };
        command.SetAction((parse, ct) => ModelCommands.ModelsInfoAsync(parse.GetValue(model)!, parse.GetValue(json), context.Out, context.Error, ct));
        return command;
    }

    private static Command ModelsGguf(CliContext context)
    {
        var model = Model("GGUF file (a model or a LoRA adapter).");
        var json = Json();
        var command = new Command("gguf", "Raw GGUF summary read without native libraries (also works on LoRA adapters).") { model, json };
        command.SetAction((parse, ct) => SyntheticModelCommands.InfoAsync(parse.GetValue(model)!, parse.GetValue(json), context.Out, context.Error, ct));
        return command;
    }

    private static Command ModelsQuantize(CliContext context)
    {
        var model = Model("GGUF model to quantize.");
        var output = CliOptions.RequiredText("--out", "Output GGUF file.");
        var type = new Option<string>("--type") { Description = "Target type (Q8_0, Q4_K_M, F16, …).", DefaultValueFactory = _ => "Q8_0" };
        var threads = CliOptions.Int("--threads", "Quantization threads; 0 = all cores.", 0, 0, 1024);
        var command = new Command("quantize", "Quantize a GGUF model.") { model, output, type, threads };
        command.SetAction((parse, ct) => ModelCommands.ModelsQuantizeAsync(parse.GetValue(model)!, parse.GetValue(output)!, parse.GetValue(type)!, parse.GetValue(threads),
            context.Out, context.Error, ct));
        return command;
    }

    private static Command ModelsSynth(CliContext context)
    {
        var shape = new Option<string>("--shape") { Description = "Model shape.", Required = true };
        shape.AcceptOnlyFromAmong("smollm2-135m", "llama-3.2-1b", "tiny-llama", "bert-tiny", "reranker-tiny", "custom", "custom-bert");
        var output = CliOptions.RequiredText("--out", "Output GGUF file.");
        var seed = new Option<ulong>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 42 };
        var tokenizerFrom = new Option<string?>("--tokenizer-from") { Description = "GGUF whose tokenizer is copied, or 'builtin' (default: llama-2-tiny-random-f16.gguf from the shared models)." };
        var vocabFrom = new Option<string?>("--vocab-from") { Description = "BERT shapes: text file whose frequent words form the vocabulary (default: a built-in word list)." };
        var vocabWords = CliOptions.Int("--vocab-words", "BERT shapes: vocabulary words.", 8000, 1, 1_000_000);
        var chatTemplate = new Option<string?>("--chat-template") { Description = "llama2, chatml, none or a Jinja template (default: the shape's)." };
        var type = new Option<string>("--type") { Description = "Weight type.", DefaultValueFactory = _ => "f16" };
        type.AcceptOnlyFromAmong("f16", "f32", "bf16");
        var std = new Option<float?>("--std") { Description = "Standard deviation of the random weights (default 0.02)." };
        var layers = CliOptions.OptionalInt("--layers", "Custom shapes: layers (default: the shape's).", 1, 10_000);
        var embd = CliOptions.OptionalInt("--embd", "Custom shapes: embedding length (default: the shape's).", 1, 1 << 20);
        var heads = CliOptions.OptionalInt("--heads", "Custom shapes: attention heads (default: the shape's).", 1, 10_000);
        var kvHeads = CliOptions.OptionalInt("--kv-heads", "Custom decoder: KV heads (default: the shape's).", 1, 10_000);
        var ffn = CliOptions.OptionalInt("--ffn", "Custom shapes: feed-forward length (default: the shape's).", 1, 1 << 22);
        var ctx = CliOptions.OptionalInt("--ctx", "Custom shapes: context length (default: the shape's).", 1, 1 << 24);
        var ropeTheta = new Option<float?>("--rope-theta") { Description = "Custom decoder: RoPE theta (default: the shape's)." };
        var untied = new Option<bool>("--untied") { Description = "Custom decoder: separate output weights." };
        var pooling = new Option<string?>("--pooling") { Description = "custom-bert: mean, cls, last or rank (default: the shape's)." };
        pooling.AcceptOnlyFromAmong("none", "mean", "cls", "last", "rank");
        var command = new Command("synth", "Write a synthetic random-weight model of a real shape.")
        {
            shape, output, seed, tokenizerFrom, vocabFrom, vocabWords, chatTemplate, type, std, layers, embd, heads, kvHeads, ffn, ctx, ropeTheta, untied, pooling,
        };
        command.SetAction((parse, ct) => SyntheticModelCommands.SynthAsync(new SynthCommandArguments
        {
            Shape = parse.GetValue(shape)!,
            OutputPath = parse.GetValue(output)!,
            Seed = parse.GetValue(seed),
            TokenizerFrom = parse.GetValue(tokenizerFrom),
            VocabFrom = parse.GetValue(vocabFrom),
            VocabWords = parse.GetValue(vocabWords),
            ChatTemplate = parse.GetValue(chatTemplate),
            WeightType = parse.GetValue(type)!,
            WeightStd = parse.GetValue(std),
            Layers = parse.GetValue(layers),
            EmbeddingLength = parse.GetValue(embd),
            Heads = parse.GetValue(heads),
            KvHeads = parse.GetValue(kvHeads),
            FeedForwardLength = parse.GetValue(ffn),
            ContextLength = parse.GetValue(ctx),
            RopeTheta = parse.GetValue(ropeTheta),
            Untied = parse.GetValue(untied) ? true : null,
            Pooling = parse.GetValue(pooling),
        }, context.Out, context.Error, ct));
        return command;
    }

    private static Command ModelsLora(CliContext context)
    {
        var baseModel = CliOptions.ExistingFile("--base", "The base model the adapter is for.");
        var output = CliOptions.RequiredText("--out", "Output adapter GGUF file.");
        var rank = CliOptions.Int("--rank", "Adapter rank.", 4, 1, 4096);
        var alpha = new Option<float?>("--alpha") { Description = "LoRA alpha (default: the rank)." };
        var seed = new Option<ulong>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 7 };
        var std = new Option<float?>("--std") { Description = "Standard deviation of A and B (default 0.1)." };
        var targets = new Option<string?>("--targets") { Description = "Comma-separated tensor suffixes (default: all attention and FFN projections)." };
        var command = new Command("lora", "Write a random LoRA adapter for a base model.") { baseModel, output, rank, alpha, seed, std, targets };
        command.SetAction((parse, ct) => SyntheticModelCommands.LoraAsync(new LoraCommandArguments
        {
            BaseModelPath = parse.GetValue(baseModel)!,
            OutputPath = parse.GetValue(output)!,
            Rank = parse.GetValue(rank),
            Alpha = parse.GetValue(alpha),
            Seed = parse.GetValue(seed),
            Std = parse.GetValue(std),
            Targets = parse.GetValue(targets),
        }, context.Out, context.Error, ct));
        return command;
    }

    private static Command EvalRetrieval(CliContext context)
    {
        var lucene = new LuceneIndexOptions();
        var retrieval = new RetrievalOptions();
        var vectors = new VectorIndexOptions();
        var settingsDefaults = new RetrievalEvaluationSettings();
        var dataset = new Option<string>("--dataset") { Description = "BEIR folder (corpus.jsonl, queries.jsonl, qrels/).", Required = true };
        dataset.Validators.Add(r =>
        {
            if (CliOptions.Value<string>(r) is { } d && !Directory.Exists(d))
            {
                r.AddError($"--dataset: folder not found: {d}");
            }
        });
        var retriever = new Option<string>("--retriever") { Description = "bm25, dense or hybrid, or several comma-separated (one index, embedded once).", DefaultValueFactory = _ => settingsDefaults.Retriever.ToString().ToLowerInvariant() };
        retriever.Validators.Add(r =>
        {
            if (ParseModes(CliOptions.Value<string>(r) ?? string.Empty) is null)
            {
                r.AddError($"--retriever must be bm25, dense or hybrid (or several, comma-separated), not '{CliOptions.Value<string>(r)}'");
            }
        });
        var embedder = new Option<string?>(CliEmbedders.OptionName) { Description = CliEmbedders.Help + " Used by dense and hybrid runs." };
        var threads = CliOptions.Int("--threads", "Embedding threads; 0 = ONNX Runtime's choice.", 0, 0, 1024);
        var split = new Option<string>("--split") { Description = "Qrels split.", DefaultValueFactory = _ => "test" };
        var report = new Option<string?>("--report") { Description = "Write a JSON report here (default: none)." };
        var outDir = new Option<string?>("--out") { Description = "Write a markdown + JSON + chart report into this folder (default: none)." };
        var k1 = CliOptions.Float("--k1", "BM25 k1.", lucene.K1, 0, 100);
        var b = CliOptions.Float("--b", "BM25 b.", lucene.B, 0, 1);
        var titleBoost = CliOptions.Float("--title-boost", "BM25 title boost.", lucene.TitleBoost, 0, 1000);
        var analysis = new Option<EnglishAnalysis>("--analysis") { Description = "English analysis.", DefaultValueFactory = _ => lucene.Analysis };
        var fusion = new Option<FusionMethod>("--fusion") { Description = "Hybrid fusion.", DefaultValueFactory = _ => retrieval.Fusion };
        var rrfK = CliOptions.Int("--rrf-k", "RRF k.", retrieval.RrfK, 1, 1_000_000);
        var bm25Weight = CliOptions.Float("--bm25-weight", "Weighted fusion: BM25 weight.", (float)retrieval.Bm25Weight, 0, 1000);
        var vectorWeight = CliOptions.Float("--vector-weight", "Weighted fusion: vector weight.", (float)retrieval.VectorWeight, 0, 1000);
        var depth = CliOptions.Int("--depth", "Hits retrieved per query.", settingsDefaults.Depth, 1, 1_000_000);
        var embeddingDim = CliOptions.Int("--embedding-dim", "Hashing embedding dimension.", settingsDefaults.EmbeddingDimension, 8, 1 << 16);
        var backend = new Option<VectorBackend>("--vector-backend") { Description = "Vector index backend.", DefaultValueFactory = _ => vectors.Backend };
        var faiss = new Option<string>("--faiss") { Description = "FAISS index description.", DefaultValueFactory = _ => vectors.FaissDescription };
        var command = new Command("retrieval", "nDCG@10, Recall@100 and MRR@10 on a BEIR data set.")
        {
            dataset, retriever, embedder, threads, split, report, outDir, k1, b, titleBoost, analysis, fusion, rrfK, bm25Weight, vectorWeight, depth, embeddingDim, backend, faiss,
        };
        command.SetAction((parse, ct) =>
        {
            var settings = new RetrievalEvaluationSettings
            {
                Depth = parse.GetValue(depth),
                EmbeddingDimension = parse.GetValue(embeddingDim),
            };
            settings.Lucene.K1 = parse.GetValue(k1);
            settings.Lucene.B = parse.GetValue(b);
            settings.Lucene.TitleBoost = parse.GetValue(titleBoost);
            settings.Lucene.Analysis = parse.GetValue(analysis);
            settings.Retrieval.Fusion = parse.GetValue(fusion);
            settings.Retrieval.RrfK = parse.GetValue(rrfK);
            settings.Retrieval.Bm25Weight = parse.GetValue(bm25Weight);
            settings.Retrieval.VectorWeight = parse.GetValue(vectorWeight);
            settings.Vectors.Backend = parse.GetValue(backend);
            settings.Vectors.FaissDescription = parse.GetValue(faiss)!;
            var modes = ParseModes(parse.GetValue(retriever)!)!;
            settings.Retriever = modes[0];
            return EvalRetrievalCommand.RunAsync(parse.GetValue(dataset)!, parse.GetValue(split)!, parse.GetValue(report), parse.GetValue(outDir), settings,
                modes, parse.GetValue(embedder), parse.GetValue(threads), context.Out, context.Error, ct);
        });
        return command;
    }

    private static List<RetrievalMode>? ParseModes(string text)
    {
        var modes = new List<RetrievalMode>();
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            RetrievalMode? mode = name.ToLowerInvariant() switch
            {
                "bm25" => RetrievalMode.Bm25,
                "dense" => RetrievalMode.Dense,
                "hybrid" => RetrievalMode.Hybrid,
                _ => null,
            };
            if (mode is null)
            {
                return null;
            }

            modes.Add(mode.Value);
        }

        return modes.Count == 0 ? null : [.. modes.Distinct()];
    }
}
