using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Rag.Model.Native;
using Rag.Model.Evaluation;
using Rag.Model.Inference;
using Rag.Model.Quantization;
using Rag.Model.Sampling;
using Rag.Tools.Benchmarks;
using Rag.Model;
using Rag.Model.Lora;

namespace Rag.Host.Cli;

/// <summary>
/// Logic of the model CLI commands (<c>generate</c>, <c>tokenize</c>, <c>perplexity</c>, <c>bench decode</c>,
/// <c>models info</c>, <c>models quantize</c>). Results go to <c>stdout</c> only; logs and errors go to <c>stderr</c>.
/// Each method returns 0; failures throw and <see cref="RagCli"/> applies the one error policy (<see cref="CliErrors"/>).
/// </summary>
internal static class ModelCommands
{
    /// <summary>
    /// <c>generate --model PATH --prompt TEXT [--max-tokens N] [--temperature T] [--threads N] [--seed S] [--grammar GBNF|@file]
    /// [--ctx N] [--stop S]... [--lora PATH [--lora-scale S]]...</c>: prints the continuation only. One generation path: LoRA
    /// adapters (scales pair with paths by position, missing scales are 1) are activated on the same context that the
    /// grammar and stop strings constrain.
    /// </summary>
    public static async Task<int> GenerateAsync(string model, string prompt, int maxTokens, float temperature, int threads,
        uint? seed, string? grammar, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default, int contextSize = 2048,
        IReadOnlyList<string>? stop = null, IReadOnlyList<string>? loraPaths = null, IReadOnlyList<float>? loraScales = null)
    {
        loraPaths ??= [];
        loraScales ??= [];
        if (loraScales.Count > loraPaths.Count)
        {
            throw new CliUsageException($"{loraScales.Count} --lora-scale values for {loraPaths.Count} --lora adapters", "give one --lora-scale per --lora, after it");
        }

        return await Guard(stderr, async log =>
        {
            var grammarText = grammar is not null && grammar.StartsWith('@') ? await ReadGrammarAsync(grammar[1..], cancellationToken).ConfigureAwait(false) : grammar;
            using var m = LlamaModel.Load(model, logger: log, cancellationToken: cancellationToken);
            var adapters = new List<LlamaLoraAdapter>();
            try
            {
                foreach (var path in loraPaths)
                {
                    adapters.Add(LlamaLoraAdapter.Load(m, path, log));
                }

                using var ctx = m.CreateContext(new LlamaContextOptions { ContextSize = contextSize, Threads = threads });
                using var scope = ctx.UseLoraAdapters(new LoraAdapterSet(adapters.Select((a, i) => new LoraAdapterScale(a, i < loraScales.Count ? loraScales[i] : 1f))));
                var sampling = temperature <= 0 ? SamplingOptions.Greedy : new SamplingOptions { Temperature = temperature };
                sampling.Seed = seed;
                sampling.Grammar = grammarText;
                var options = new GenerationOptions { MaxTokens = maxTokens, Sampling = sampling, StopStrings = stop ?? [] };
                await foreach (var t in ctx.GenerateAsync(prompt, options, cancellationToken).ConfigureAwait(false))
                {
                    await stdout.WriteAsync(t.Text).ConfigureAwait(false);
                }

                await stdout.WriteLineAsync().ConfigureAwait(false);
                await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
            finally
            {
                foreach (var a in adapters)
                {
                    a.Dispose();
                }
            }
        }).ConfigureAwait(false);
    }

    private static async Task<string> ReadGrammarAsync(string path, CancellationToken cancellationToken) =>
        File.Exists(path)
            ? await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)
            : throw new CliUsageException($"grammar file not found: {path}", "pass --grammar @FILE with an existing GBNF file, or the grammar text itself");

    /// <summary><c>tokenize --model PATH --text TEXT</c>: prints a JSON array of token ids (with BOS where the model adds it).</summary>
    public static Task<int> TokenizeAsync(string model, string text, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default) =>
        Guard(stderr, async log =>
        {
            using var m = LlamaModel.Load(model, new LlamaModelLoadOptions { VocabOnly = true }, log, cancellationToken: cancellationToken);
            await stdout.WriteLineAsync(JsonSerializer.Serialize(m.Tokenize(text))).ConfigureAwait(false);
            return 0;
        });

    /// <summary><c>perplexity --model PATH --file PATH [--ctx N] [--threads N]</c>: per-chunk values to stderr; the last stdout line is <c>perplexity: X</c>.</summary>
    public static Task<int> PerplexityAsync(string model, string file, int contextSize, int threads, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken = default) =>
        Guard(stderr, async log =>
        {
            var text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
            using var m = LlamaModel.Load(model, logger: log, cancellationToken: cancellationToken);
            var progress = new SyncProgress<(int Chunk, int Total, double Perplexity)>(p => stderr.Write($"[{p.Chunk}]{p.Perplexity:F4},"));
            var r = LlamaPerplexity.Compute(m, text, new PerplexityOptions { ContextSize = contextSize, Threads = threads }, progress, cancellationToken);
            await stderr.WriteLineAsync().ConfigureAwait(false);
            await stdout.WriteLineAsync($"chunks: {r.Chunks}, tokens scored: {r.TokensScored}, +/- {r.StandardError.ToString("F5", CultureInfo.InvariantCulture)}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"perplexity: {r.Perplexity.ToString("F4", CultureInfo.InvariantCulture)}").ConfigureAwait(false);
            return 0;
        });

    /// <summary><c>bench decode --model PATH [--threads N] [--tokens N] [--ctx N] [--repeats N]</c>: warms up, decodes greedily ignoring EOS, prints <c>tokens/s: X</c> (best run).</summary>
    public static Task<int> BenchDecodeAsync(string model, int threads, int tokens, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken = default, int contextSize = 2048, int repeats = 5, string prompt = "Once upon a time") =>
        Guard(stderr, async log =>
        {
            using var m = LlamaModel.Load(model, logger: log, cancellationToken: cancellationToken);
            var r = await DecodeBenchmark.RunAsync(m, new DecodeBenchmarkOptions
            {
                Threads = threads, Tokens = tokens, ContextSize = contextSize, Repeats = repeats, Prompt = prompt,
            }, cancellationToken).ConfigureAwait(false);
            await stderr.WriteLineAsync("runs: " + string.Join(", ", r.Runs.Select(x => x.ToString("F1", CultureInfo.InvariantCulture)))).ConfigureAwait(false);
            await stdout.WriteLineAsync($"cpu tokens/s: {r.BestTokensPerCpuSecond.ToString("F1", CultureInfo.InvariantCulture)}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"median tokens/s: {r.MedianTokensPerSecond.ToString("F1", CultureInfo.InvariantCulture)}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"tokens/s: {r.BestTokensPerSecond.ToString("F1", CultureInfo.InvariantCulture)}").ConfigureAwait(false);
            return 0;
        });

    /// <summary><c>models info --model PATH [--json]</c>: metadata as JSON or aligned text.</summary>
    public static Task<int> ModelsInfoAsync(string model, bool json, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default) =>
        Guard(stderr, async log =>
        {
            using var m = LlamaModel.Load(model, logger: log, cancellationToken: cancellationToken);
            var md = m.Metadata;
            if (json)
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(md, new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
                return 0;
            }

            var rows = new List<(string, string)>
            {
                ("path", m.Path), ("architecture", md.Architecture), ("name", md.Name ?? ""), ("description", md.Description),
                ("parameters", md.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)),
                ("size (bytes)", md.SizeBytes.ToString("N0", CultureInfo.InvariantCulture)),
                ("quantization", $"{md.FileTypeName} ({md.FileType})"), ("context length", md.ContextLength.ToString(CultureInfo.InvariantCulture)),
                ("embedding size", md.EmbeddingSize.ToString(CultureInfo.InvariantCulture)), ("layers", md.LayerCount.ToString(CultureInfo.InvariantCulture)),
                ("heads / kv heads", $"{md.HeadCount} / {md.KvHeadCount}"), ("vocabulary", $"{md.VocabSize} ({md.VocabType})"),
                ("bos / eos", $"{md.BosToken} / {md.EosToken} (adds bos: {md.AddsBos})"),
                ("chat template", md.ChatTemplate is null ? $"(none; fallback {LlamaModel.FallbackChatTemplate})" : md.ChatTemplate.ReplaceLineEndings(" ")),
            };
            rows.AddRange(md.Values.Select(kv => (kv.Key, kv.Value.Length > 120 ? kv.Value[..120] + "…" : kv.Value)));
            var width = rows.Max(r => r.Item1.Length);
            var sb = new StringBuilder();
            foreach (var (k, v) in rows)
            {
                sb.Append(k.PadRight(width)).Append("  ").AppendLine(v);
            }

            await stdout.WriteAsync(sb.ToString()).ConfigureAwait(false);
            return 0;
        });

    /// <summary><c>models quantize --model IN --out OUT --type Q8_0 [--threads N]</c>: progress on stderr, output path and size on stdout.</summary>
    public static Task<int> ModelsQuantizeAsync(string model, string output, string type, int threads, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken = default) =>
        Guard(stderr, async log =>
        {
            var t = LlamaQuantizer.ParseType(type);
            var progress = new SyncProgress<LlamaQuantizeProgress>(p =>
            {
                if (p.TensorCount > 0)
                {
                    stderr.Write($"\rtensor {p.TensorIndex}/{p.TensorCount} {p.TensorName}".PadRight(70));
                }
            });
            await LlamaQuantizer.QuantizeAsync(model, output, new LlamaQuantizeOptions { Type = t, Threads = threads }, progress, log, cancellationToken).ConfigureAwait(false);
            await stderr.WriteLineAsync().ConfigureAwait(false);
            await stdout.WriteLineAsync($"{output} {t} {new FileInfo(output).Length} bytes").ConfigureAwait(false);
            return 0;
        });

    /// <summary>True with <c>--verbose</c>: llama.cpp's own information lines go to stderr.</summary>
    internal static bool Verbose { get; set; }

    private static async Task<int> Guard(TextWriter stderr, Func<ILogger, Task<int>> body)
    {
        var log = new TextWriterLogger(stderr, Verbose ? LogLevel.Information : LogLevel.Warning);
        LlamaBackend.Initialize(new LlamaBackendOptions { NativeLogLevel = Verbose ? LogLevel.Information : LogLevel.None }, log);
        return await body(log).ConfigureAwait(false);
    }
}
