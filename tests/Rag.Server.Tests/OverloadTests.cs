using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rag.Model.Serving;
using static Rag.Server.Tests.OpenAiSdkTests;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Rag.Server.Tests;

/// <summary>A server with one sequence and a queue of one: the third concurrent request must get 429.</summary>
public sealed class TinyServerFixture : ServerFixture
{
    protected override IEnumerable<string> ExtraArgs =>
    [
        "--Rag:Model:Chat:Scheduler:MaxSequences=1",
        "--Rag:Model:Chat:Scheduler:MaxQueuedRequests=1",
        "--Rag:Model:Chat:Scheduler:EnablePrefixCache=false",
        "--Rag:Server:RetryAfterSeconds=3",
    ];
}

/// <summary>Acceptance 3 and 4: scheduler overload answers 429 with Retry-After; a client disconnect cancels its generation.</summary>
public class OverloadTests(TinyServerFixture server) : IClassFixture<TinyServerFixture>
{
    private static readonly Uri Chat = new("/v1/chat/completions", UriKind.Relative);

    private static string LongStream(int maxTokens) =>
        $$"""{"model":"stories260K-llama-f32","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":{{maxTokens}},"temperature":1.0,"seed":7,"ignore_eos":true,"stream":true}""";

    private LlamaBatchScheduler Scheduler => server.App.Services.GetRequiredService<LlamaBatchScheduler>();

    [Fact]
    public async Task A_full_scheduler_answers_429_with_retry_after_and_a_disconnected_stream_frees_its_slot()
    {
        using var http = server.Authorized();
        var before = Scheduler.GetStatistics();

        // A: holds the only sequence (a long stream we read one event of, then abandon).
        var requestA = new HttpRequestMessage(HttpMethod.Post, Chat) { Content = Json(LongStream(1900)) };
        var a = await http.SendAsync(requestA, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        var streamA = await a.Content.ReadAsStreamAsync();
        var first = new byte[64];
        Assert.True(await streamA.ReadAsync(first) > 0);
        Assert.Equal(1, Scheduler.GetStatistics().ActiveSequences);

        // B and C: one fits in the queue of one, the other finds no room anywhere and gets 429 at once.
        var b = http.PostAsync(Chat, Json("""{"model":"stories260K-llama-f32","messages":[{"role":"user","content":"Hi"}],"max_tokens":4}"""));
        var c = http.PostAsync(Chat, Json("""{"model":"stories260K-llama-f32","messages":[{"role":"user","content":"Hello"}],"max_tokens":4}"""));
        var rejected = await Task.WhenAny(b, c);
        var queued = rejected == b ? c : b;
        using (var response = await rejected)
        {
            Assert.Equal((HttpStatusCode)429, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
            using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("overloaded", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        }

        Assert.False(queued.IsCompleted);
        Assert.Equal(1, Scheduler.GetStatistics().ActiveSequences);
        Assert.Equal(before.Rejected + 1, Scheduler.GetStatistics().Rejected);

        // A disconnects: its generation is cancelled and its sequence goes to B, long before A's 1900 tokens.
        var generatedAtDisconnect = Scheduler.GetStatistics().GeneratedTokens;
        streamA.Dispose();
        a.Dispose();
        requestA.Dispose();
        using (var bResponse = await queued)
        {
            Assert.Equal(HttpStatusCode.OK, bResponse.StatusCode);
        }

        await WaitUntil(() => Scheduler.GetStatistics().ActiveSequences == 0, "all sequences free");
        var after = Scheduler.GetStatistics();
        Assert.Equal(before.Cancelled + 1, after.Cancelled);
        Assert.Equal(before.Completed + 1, after.Completed); // B only; A never completed
        Assert.True(after.GeneratedTokens - before.GeneratedTokens < 1900, $"{after.GeneratedTokens - before.GeneratedTokens} tokens: A ran to its end");
        Assert.True(generatedAtDisconnect - before.GeneratedTokens < 1900);
    }

    [Fact]
    public async Task Streaming_chat_ends_with_done_and_honours_include_usage()
    {
        using var http = server.Authorized();
        var body = """{"model":"stories260K-llama-f32","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":8,"temperature":0,"stream":true,"stream_options":{"include_usage":true}}""";
        using var response = await http.PostAsync(Chat, Json(body));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.All(events, e => Assert.StartsWith("data: ", e, StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", events[^1]);
        using var usage = JsonDocument.Parse(events[^2]["data: ".Length..]);
        Assert.Equal(0, usage.RootElement.GetProperty("choices").GetArrayLength());
        Assert.Equal(8, usage.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        using var without = await http.PostAsync(Chat, Json(body.Replace("true}}", "false}}", StringComparison.Ordinal)));
        var plain = await without.Content.ReadAsStringAsync();
        Assert.DoesNotContain("\"usage\"", plain, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", plain, StringComparison.Ordinal);
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for: " + what);
            await Task.Delay(10);
        }
    }
}
