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

namespace Rag.Host.Cli;

/// <summary>
/// Logic of the model CLI commands (<c>generate</c>, <c>tokenize</c>, <c>perplexity</c>, <c>bench decode</c>,
/// <c>models info</c>, <c>models quantize</c>). Results go to <c>stdout</c> only; logs and errors go to <c>stderr</c>.
/// Each method returns the process exit code (0 success, 1 failure, 2 usage error). Host parsers call the typed
/// methods; <see cref="RunAsync"/> parses the same verbs itself for hosts that just forward arguments.
/// </summary>
internal static class ModelCommands
{
    /// <summary><c>generate --model PATH --prompt TEXT [--max-tokens N] [--temperature T] [--threads N] [--seed S] [--grammar GBNF|@file] [--ctx N]</c>: prints the continuation only.</summary>
    public static async Task<int> GenerateAsync(string model, string prompt, int maxTokens, float temperature, int threads,
        uint? seed, string? grammar, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default, int contextSize = 2048,
        IReadOnlyList<string>? stop = null)
    {
        return await Guard(stderr, async log =>
        {
            using var m = LlamaModel.Load(model, logger: log, cancellationToken: cancellationToken);
            using var ctx = m.CreateContext(new LlamaContextOptions { ContextSize = contextSize, Threads = threads });
            var sampling = temperature <= 0 ? SamplingOptions.Greedy : new SamplingOptions { Temperature = temperature };
            sampling.Seed = seed;
            sampling.Grammar = grammar is not null && grammar.StartsWith('@') ? await File.ReadAllTextAsync(grammar[1..], cancellationToken).ConfigureAwait(false) : grammar;
            var options = new GenerationOptions { MaxTokens = maxTokens, Sampling = sampling, StopStrings = stop ?? [] };
            await foreach (var t in ctx.GenerateAsync(prompt, options, cancellationToken).ConfigureAwait(false))
            {
                await stdout.WriteAsync(t.Text).ConfigureAwait(false);
            }

            await stdout.WriteLineAsync().ConfigureAwait(false);
            await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
    }

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

    /// <summary>
    /// Parses and runs one of: <c>generate</c>, <c>tokenize</c>, <c>perplexity</c>, <c>bench decode</c>,
    /// <c>models info</c>, <c>models quantize</c>, with <c>--name value</c> options as documented on the typed methods.
    /// Also accepts <c>--native-dir PATH</c> and <c>--verbose</c>.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var verbs = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var opts = ParseOptions(args.Skip(verbs.Length).ToArray());
        if (opts is null)
        {
            await stderr.WriteLineAsync("error: options must be --name value pairs").ConfigureAwait(false);
            return 2;
        }

        s_verbose = opts.ContainsKey("verbose");
        if (opts.TryGetValue("native-dir", out var nativeDir))
        {
            Environment.SetEnvironmentVariable(LlamaBackendOptions.NativeDirEnvironmentVariable, nativeDir);
        }

        string Req(string n) => opts.TryGetValue(n, out var v) ? v : throw new UsageException($"missing --{n}");
        int Int(string n, int d) => opts.TryGetValue(n, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : d;

        try
        {
            return string.Join(' ', verbs) switch
            {
                "generate" => await GenerateAsync(Req("model"), Req("prompt"), Int("max-tokens", 128),
                    opts.TryGetValue("temperature", out var temp) ? float.Parse(temp, CultureInfo.InvariantCulture) : 0.8f,
                    Int("threads", 1), opts.TryGetValue("seed", out var s) ? uint.Parse(s, CultureInfo.InvariantCulture) : null,
                    opts.GetValueOrDefault("grammar"), stdout, stderr, cancellationToken, Int("ctx", 2048)).ConfigureAwait(false),
                "tokenize" => await TokenizeAsync(Req("model"), Req("text"), stdout, stderr, cancellationToken).ConfigureAwait(false),
                "perplexity" => await PerplexityAsync(Req("model"), Req("file"), Int("ctx", 512), Int("threads", 1), stdout, stderr, cancellationToken).ConfigureAwait(false),
                "bench decode" => await BenchDecodeAsync(Req("model"), Int("threads", 1), Int("tokens", 128), stdout, stderr, cancellationToken,
                    Int("ctx", 2048), Int("repeats", 5), opts.GetValueOrDefault("prompt") ?? "Once upon a time").ConfigureAwait(false),
                "models info" => await ModelsInfoAsync(Req("model"), opts.ContainsKey("json"), stdout, stderr, cancellationToken).ConfigureAwait(false),
                "models quantize" => await ModelsQuantizeAsync(Req("model"), Req("out"), opts.GetValueOrDefault("type") ?? "Q8_0", Int("threads", 0), stdout, stderr, cancellationToken).ConfigureAwait(false),
                _ => throw new UsageException("usage: generate|tokenize|perplexity|bench decode|models info|models quantize --model PATH ..."),
            };
        }
        catch (Exception ex) when (ex is UsageException or FormatException)
        {
            await stderr.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return 2;
        }
    }

    private static bool s_verbose;

    private static Dictionary<string, string>? ParseOptions(string[] rest)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < rest.Length; i++)
        {
            if (!rest[i].StartsWith("--", StringComparison.Ordinal))
            {
                return null;
            }

            var name = rest[i][2..];
            if (i + 1 < rest.Length && !rest[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                d[name] = rest[++i];
            }
            else
            {
                d[name] = "true";
            }
        }

        return d;
    }

    private static async Task<int> Guard(TextWriter stderr, Func<ILogger, Task<int>> body)
    {
        var log = new TextWriterLogger(stderr, s_verbose ? LogLevel.Information : LogLevel.Warning);
        try
        {
            LlamaBackend.Initialize(new LlamaBackendOptions { NativeLogLevel = s_verbose ? LogLevel.Information : LogLevel.Error }, log);
            return await body(log).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("cancelled").ConfigureAwait(false);
            return 130;
        }
        catch (Exception ex) when (ex is LlamaNativeLibraryException or LlamaModelLoadException or FileNotFoundException or LlamaContextOverflowException
                                       or LlamaGrammarException or LlamaDecodeException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            await stderr.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
    }

    private sealed class UsageException(string message) : Exception(message);
}
