using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rag.Core.Configuration;
using Rag.Tools.Synthetic;
using Rag.Model.Gguf;

namespace Rag.Host.Cli;

/// <summary>
/// The logic of <c>rag models synth|info|lora</c>. Results go to stdout, progress and errors to stderr;
/// each method returns the process exit code (0 success, 1 failure, 2 bad arguments).
/// </summary>
internal static class SyntheticModelCommands
{
    /// <summary>Environment variable naming the shared folder (the one holding <c>models/</c>).</summary>
    public const string SharedDirEnvironmentVariable = RagPaths.SharedDirectoryVariable;

    private const string DefaultTokenizerModel = "llama-2-tiny-random-f16.gguf";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Writes a synthetic model and prints its summary.</summary>
    public static async Task<int> SynthAsync(SynthCommandArguments args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var shapeName = args.Shape.Trim().ToLowerInvariant();
        var isBert = shapeName is "bert-tiny" or "reranker-tiny" or "custom-bert";
        var options = new SyntheticModelOptions
        {
            Seed = args.Seed,
            WeightType = args.WeightType.ToLowerInvariant() switch
            {
                "f16" => GgmlType.F16,
                "f32" => GgmlType.F32,
                "bf16" => GgmlType.BF16,
                _ => throw new ArgumentException($"--type must be f16, f32 or bf16, not '{args.WeightType}'."),
            },
            WeightStd = args.WeightStd ?? 0.02f,
        };

        if (isBert)
        {
            if (args.TokenizerFrom is not null and not "builtin")
            {
                options.Tokenizer = GgufTokenizer.FromModel(args.TokenizerFrom);
            }
            else if (args.VocabFrom is not null)
            {
                options.Tokenizer = GgufTokenizer.WordPiece(FrequentWords(await File.ReadAllTextAsync(args.VocabFrom, cancellationToken).ConfigureAwait(false), args.VocabWords));
            }

            if (args.ChatTemplate is not null)
            {
                throw new ArgumentException("--chat-template applies to decoders, not BERT models.");
            }
        }
        else
        {
            var tokenizerPath = args.TokenizerFrom switch
            {
                "builtin" => null,
                null => FindSharedModel(DefaultTokenizerModel),
                var p => p,
            };
            if (tokenizerPath is null && args.TokenizerFrom is null)
            {
                await stderr.WriteLineAsync($"note: {DefaultTokenizerModel} not found (set {SharedDirEnvironmentVariable}); using the built-in byte-fallback vocabulary").ConfigureAwait(false);
            }

            if (tokenizerPath is not null)
            {
                options.Tokenizer = GgufTokenizer.FromModel(tokenizerPath);
                await stderr.WriteLineAsync($"tokenizer: {options.Tokenizer.VocabSize} tokens ({options.Tokenizer.Model}) from {tokenizerPath}").ConfigureAwait(false);
            }

            if (args.ChatTemplate is not null)
            {
                options.ChatTemplate = ChatTemplates.Resolve(args.ChatTemplate) ?? string.Empty;
            }
        }

        var lastReported = -1;
        var progress = new SyncProgress<double>(p =>
        {
            var pct = (int)(p * 100);
            if (pct / 10 != lastReported / 10)
            {
                lastReported = pct;
                stderr.WriteLine($"writing {args.OutputPath}: {pct}%");
            }
        });

        SyntheticModelResult result;
        if (isBert)
        {
            var shape = shapeName switch
            {
                "bert-tiny" => BertShape.TinyEmbedding,
                "reranker-tiny" => BertShape.TinyReranker,
                _ => new BertShape { Name = "bert-custom (synthetic)" },
            };
            shape = shape with
            {
                BlockCount = args.Layers ?? shape.BlockCount,
                EmbeddingLength = args.EmbeddingLength ?? shape.EmbeddingLength,
                HeadCount = args.Heads ?? shape.HeadCount,
                FeedForwardLength = args.FeedForwardLength ?? shape.FeedForwardLength,
                ContextLength = args.ContextLength ?? shape.ContextLength,
                Pooling = args.Pooling is null ? shape.Pooling : ParsePooling(args.Pooling),
            };
            result = await Task.Run(() => SyntheticModelWriter.WriteBert(args.OutputPath, shape, options, progress, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var shape = shapeName switch
            {
                "smollm2-135m" => LlamaShape.SmolLM2_135M,
                "llama-3.2-1b" => LlamaShape.Llama32_1B,
                "tiny-llama" => LlamaShape.Tiny,
                "custom" => new LlamaShape { Name = "custom-llama (synthetic)", BlockCount = 2, EmbeddingLength = 64, HeadCount = 4, HeadCountKv = 2, FeedForwardLength = 128 },
                _ => throw new ArgumentException($"Unknown --shape '{args.Shape}'. Known: smollm2-135m, llama-3.2-1b, tiny-llama, bert-tiny, reranker-tiny, custom, custom-bert."),
            };
            shape = shape with
            {
                BlockCount = args.Layers ?? shape.BlockCount,
                EmbeddingLength = args.EmbeddingLength ?? shape.EmbeddingLength,
                HeadCount = args.Heads ?? shape.HeadCount,
                HeadCountKv = args.KvHeads ?? (args.Heads is { } h && shapeName == "custom" ? h : shape.HeadCountKv),
                FeedForwardLength = args.FeedForwardLength ?? shape.FeedForwardLength,
                ContextLength = args.ContextLength ?? shape.ContextLength,
                RopeFreqBase = args.RopeTheta ?? shape.RopeFreqBase,
                TieEmbeddings = args.Untied == true ? false : shape.TieEmbeddings,
            };
            result = await Task.Run(() => SyntheticModelWriter.WriteLlama(args.OutputPath, shape, options, progress, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        await WriteResultAsync(stdout, result).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Prints a model's metadata summary (text lines <c>key: value</c>, or JSON).</summary>
    public static async Task<int> InfoAsync(string modelPath, bool json, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        GgufModelInfo info;
        try
        {
            info = await Task.Run(() => GgufModelInfo.FromFile(modelPath), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is GgufFormatException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new CliUsageException(ex.Message, "pass a readable GGUF file", ex);
        }

        if (json)
        {
            var doc = new Dictionary<string, object?>
            {
                ["path"] = info.Path,
                ["file_size_bytes"] = info.FileSizeBytes,
                ["gguf_version"] = info.Version,
                ["type"] = info.Type ?? "model",
                ["architecture"] = info.Architecture,
                ["name"] = info.Name,
                ["context_length"] = info.ContextLength,
                ["embedding_length"] = info.EmbeddingLength,
                ["block_count"] = info.BlockCount,
                ["head_count"] = info.HeadCount,
                ["head_count_kv"] = info.HeadCountKv,
                ["feed_forward_length"] = info.FeedForwardLength,
                ["pooling_type"] = info.PoolingType,
                ["tokenizer"] = info.TokenizerModel,
                ["vocab_size"] = info.VocabSize,
                ["parameter_count"] = info.ParameterCount,
                ["file_type"] = info.FileType,
                ["tensor_count"] = info.TensorCount,
                ["tensor_types"] = info.TensorTypes.OrderBy(kv => kv.Key).ToDictionary(kv => kv.Key.ToString(), kv => kv.Value),
                ["lora_alpha"] = info.LoraAlpha,
                ["chat_template"] = info.ChatTemplate,
            };
            await stdout.WriteLineAsync(JsonSerializer.Serialize(doc, Json)).ConfigureAwait(false);
            return 0;
        }

        var lines = new List<(string, object?)>
        {
            ("path", info.Path),
            ("file size", $"{info.FileSizeBytes} bytes ({info.FileSizeBytes / 1048576.0:F1} MiB)"),
            ("gguf version", info.Version),
            ("type", info.Type ?? "model"),
            ("architecture", info.Architecture),
            ("name", info.Name),
            ("context length", info.ContextLength),
            ("embedding length", info.EmbeddingLength),
            ("block count", info.BlockCount),
            ("heads", info.HeadCount is null ? null : $"{info.HeadCount} (kv {info.HeadCountKv})"),
            ("feed forward length", info.FeedForwardLength),
            ("pooling type", info.PoolingType),
            ("tokenizer", info.TokenizerModel),
            ("vocab size", info.VocabSize),
            ("parameters", $"{info.ParameterCount} ({info.ParameterCount / 1e6:F2} M)"),
            ("file type", info.FileType),
            ("tensors", $"{info.TensorCount} ({string.Join(", ", info.TensorTypes.OrderBy(kv => kv.Key).Select(kv => $"{kv.Value} {kv.Key}"))})"),
            ("lora alpha", info.LoraAlpha),
            ("chat template", info.ChatTemplate is null ? "(none)" : Abbreviate(info.ChatTemplate)),
        };
        foreach (var (k, v) in lines)
        {
            if (v is not null)
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{k}: {v}")).ConfigureAwait(false);
            }
        }

        return 0;
    }

    /// <summary>Writes a random LoRA adapter for a base model and prints its summary.</summary>
    public static async Task<int> LoraAsync(LoraCommandArguments args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var options = new LoraAdapterOptions { Rank = args.Rank, Alpha = args.Alpha, Seed = args.Seed, Std = args.Std ?? 0.1f };
        if (args.Targets is not null)
        {
            options.Targets = args.Targets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        try
        {
            var result = await Task.Run(() => LoraAdapterWriter.Write(args.BaseModelPath, args.OutputPath, options, cancellationToken), cancellationToken).ConfigureAwait(false);
            await WriteResultAsync(stdout, result).ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (ex is GgufFormatException or FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliUsageException(ex.Message, "pass a readable GGUF file", ex);
        }
    }

    /// <summary>
    /// Finds a file in the shared models folder: <c>$RAG_SHARED_DIR/models</c>, else a <c>shared/models</c> folder
    /// beside the current directory or the application directory or any of their ancestors.
    /// </summary>
    /// <returns>The full path, or null when not found.</returns>
    public static string? FindSharedModel(string fileName) =>
        RagPaths.SharedDirectory() is { } shared && File.Exists(System.IO.Path.Combine(shared, "models", fileName))
            ? System.IO.Path.Combine(shared, "models", fileName)
            : null;

    internal static IEnumerable<string> FrequentWords(string text, int count) =>
        Regex.Matches(text.ToLowerInvariant(), "[a-z][a-z0-9]+")
            .GroupBy(m => m.Value, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(count)
            .Select(g => g.Key);

    private static GgufPoolingType ParsePooling(string s) => s.ToLowerInvariant() switch
    {
        "none" => GgufPoolingType.None,
        "mean" => GgufPoolingType.Mean,
        "cls" => GgufPoolingType.Cls,
        "last" => GgufPoolingType.Last,
        "rank" => GgufPoolingType.Rank,
        _ => throw new ArgumentException($"--pooling must be none, mean, cls, last or rank, not '{s}'."),
    };

    private static async Task WriteResultAsync(TextWriter stdout, SyntheticModelResult r)
    {
        await stdout.WriteLineAsync($"path: {r.Path}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"architecture: {r.Architecture}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"file size: {r.FileSizeBytes} bytes").ConfigureAwait(false);
        await stdout.WriteLineAsync($"parameters: {r.ParameterCount}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"tensors: {r.TensorCount}").ConfigureAwait(false);
        if (r.VocabSize > 0)
        {
            await stdout.WriteLineAsync($"vocab size: {r.VocabSize}").ConfigureAwait(false);
        }
    }

    private static string Abbreviate(string s)
    {
        var flat = s.Replace("\n", "\\n", StringComparison.Ordinal);
        return flat.Length > 100 ? flat[..97] + "..." : flat;
    }
}
