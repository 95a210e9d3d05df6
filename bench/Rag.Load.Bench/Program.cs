// Streaming load generator for OpenAI-compatible chat servers (ours and llama.cpp's llama-server).
//
//   dotnet bench/Rag.Load.Bench/bin/Release/net10.0/Rag.Load.Bench.dll --url http://127.0.0.1:18080 --name rag \
//       --model stories260K-llama-f32 --concurrency 1,8,32 --requests 4 --max-tokens 128 [--pid PID] [--json out.json]
//
// Each of N clients sends --requests streaming /v1/chat/completions requests back to back (ignore_eos, fixed
// max_tokens, temperature 0.8, a per-request seed), so every server generates the same number of tokens. Per level it
// reports aggregate generated tokens/s (content deltas over wall time), p50/p99 time to first content token, requests
// answered 429, errors, and the server's peak RSS (from /proc/PID/status, when --pid is given).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

var settings = Settings.Parse(args);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
{
    BaseAddress = new Uri(settings.Url),
    Timeout = TimeSpan.FromMinutes(10),
};

// Warm-up: one short request, not measured.
await RunOneAsync(http, settings, seed: 1, maxTokens: 8, CancellationToken.None);

var results = new List<LevelResult>();
Console.WriteLine($"| server | clients | requests | ok | 429 | errors | tokens | wall s | tokens/s | p50 TTFT ms | p99 TTFT ms | peak RSS MiB |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var clients in settings.Concurrency)
{
    var samples = new List<Sample>();
    using var rss = new RssSampler(settings.Pid);
    var wall = Stopwatch.StartNew();
    var tasks = Enumerable.Range(0, clients).Select(async c =>
    {
        var local = new List<Sample>();
        for (var r = 0; r < settings.Requests; r++)
        {
            local.Add(await RunOneAsync(http, settings, seed: 1000 * c + r + 7, settings.MaxTokens, CancellationToken.None));
        }

        return local;
    }).ToList();
    foreach (var t in tasks)
    {
        samples.AddRange(await t);
    }

    wall.Stop();
    var ok = samples.Where(s => s.Status == 200 && s.Error is null).ToList();
    var ttft = ok.Select(s => s.TtftMs).Order().ToList();
    var level = new LevelResult(settings.Name, clients, samples.Count, ok.Count, samples.Count(s => s.Status == 429),
        samples.Count(s => s.Status != 429 && (s.Status != 200 || s.Error is not null)), samples.Sum(s => (long)s.Tokens), wall.Elapsed.TotalSeconds,
        samples.Sum(s => (long)s.Tokens) / wall.Elapsed.TotalSeconds, Percentile(ttft, 0.50), Percentile(ttft, 0.99), rss.PeakMiB,
        samples.Where(s => s.Error is not null).Select(s => s.Error!).Distinct().Take(5).ToList());
    results.Add(level);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {level.Server} | {level.Clients} | {level.Requests} | {level.Ok} | {level.Rejected} | {level.Errors} | {level.Tokens} | {level.WallSeconds:F2} | {level.TokensPerSecond:F0} | {level.P50TtftMs:F1} | {level.P99TtftMs:F1} | {(level.PeakRssMiB is { } m ? m.ToString("F0", CultureInfo.InvariantCulture) : "-")} |"));
    foreach (var e in level.ErrorSamples)
    {
        Console.Error.WriteLine($"  error sample: {e}");
    }
}

if (settings.Json is { } path)
{
    await File.WriteAllTextAsync(path, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
}

return results.Any(r => r.Errors > 0) ? 1 : 0;

static double Percentile(List<double> sorted, double p) =>
    sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

static async Task<Sample> RunOneAsync(HttpClient http, Settings s, int seed, int maxTokens, CancellationToken ct)
{
    var body = JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["model"] = s.Model,
        ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = s.Prompt } },
        ["max_tokens"] = maxTokens,
        ["temperature"] = 0.8,
        ["seed"] = seed,
        ["ignore_eos"] = true,
        ["stream"] = true,
    });
    var started = Stopwatch.GetTimestamp();
    try
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        // One connection per request, for both servers: llama-server (cpp-httplib) closes kept-alive connections after a
        // streamed response without saying so, and a POST sent on such a pooled connection fails with "the response
        // ended prematurely" (HttpClient does not retry POSTs). A loopback connect costs well under a millisecond.
        request.Headers.ConnectionClose = true;
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            return new Sample((int)response.StatusCode, 0, 0, response.StatusCode == HttpStatusCode.TooManyRequests ? null : text[..Math.Min(200, text.Length)]);
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        double ttft = double.NaN;
        var tokens = 0;
        var done = false;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var data = line.AsSpan(6);
            if (data.SequenceEqual("[DONE]"))
            {
                done = true;
                break;
            }

            using var doc = JsonDocument.Parse(data.ToString());
            if (doc.RootElement.TryGetProperty("error", out var error))
            {
                return new Sample(200, tokens, ttft, error.ToString());
            }

            foreach (var choice in doc.RootElement.GetProperty("choices").EnumerateArray())
            {
                if (choice.TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content)
                    && content.ValueKind == JsonValueKind.String && content.GetString()!.Length > 0)
                {
                    if (tokens == 0)
                    {
                        ttft = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    }

                    tokens++;
                }
            }
        }

        return new Sample(200, tokens, ttft, done ? null : "stream ended without [DONE]");
    }
    catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException or TaskCanceledException)
    {
        return new Sample(0, 0, double.NaN, ex.GetType().Name + ": " + ex.Message + (ex.InnerException is { } inner ? " (" + inner.GetType().Name + ": " + inner.Message + ")" : ""));
    }
}

internal sealed record Sample(int Status, int Tokens, double TtftMs, string? Error);

internal sealed record LevelResult(string Server, int Clients, int Requests, int Ok, int Rejected, int Errors, long Tokens, double WallSeconds,
    double TokensPerSecond, double P50TtftMs, double P99TtftMs, double? PeakRssMiB, List<string> ErrorSamples);

internal sealed record Settings(string Url, string Name, string Model, int[] Concurrency, int Requests, int MaxTokens, string Prompt, int? Pid, string? Json)
{
    public static Settings Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        var pid = Get("--pid", "");
        return new Settings(
            Get("--url", "http://127.0.0.1:18080"),
            Get("--name", "server"),
            Get("--model", "stories260K-llama-f32"),
            Get("--concurrency", "1,8,32").Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray(),
            int.Parse(Get("--requests", "4"), CultureInfo.InvariantCulture),
            int.Parse(Get("--max-tokens", "128"), CultureInfo.InvariantCulture),
            Get("--prompt", "Once upon a time, in a small village, there lived a girl named Lily. One day"),
            pid.Length > 0 ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
            Get("--json", "") is { Length: > 0 } j ? j : null);
    }
}

/// <summary>Samples a process's resident set size every 100 ms and keeps the peak.</summary>
internal sealed class RssSampler : IDisposable
{
    private readonly Timer? _timer;
    private readonly int? _pid;
    private long _peakKb;

    public RssSampler(int? pid)
    {
        _pid = pid;
        if (pid is not null)
        {
            _timer = new Timer(_ => Sample(), null, 0, 100);
        }
    }

    public double? PeakMiB => _pid is null ? null : Interlocked.Read(ref _peakKb) / 1024.0;

    public void Dispose()
    {
        _timer?.Dispose();
        Sample();
    }

    private void Sample()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                    long current;
                    while (kb > (current = Interlocked.Read(ref _peakKb)) && Interlocked.CompareExchange(ref _peakKb, kb, current) != current)
                    {
                    }
                }
            }
        }
        catch (IOException)
        {
        }
    }
}
