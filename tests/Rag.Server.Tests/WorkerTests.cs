using System.Text.Json;
using Microsoft.Extensions.Options;
using Rag.Server.Worker;
using static Rag.Server.Tests.OpenAiSdkTests;

namespace Rag.Server.Tests;

/// <summary>The worker: watched folders are kept ingested (new, changed and removed files); the queue is bounded; metrics.</summary>
[Collection(ServerCollection.Name)]
public class WorkerTests(ServerFixture server)
{
    [Fact]
    public async Task A_file_written_into_a_watched_folder_is_indexed_and_removing_it_removes_it()
    {
        var file = Path.Combine(server.WatchDir, "kite.txt");
        await File.WriteAllTextAsync(file, "A yellow kite flew high above the hill on a windy day.");
        await WaitUntilAsync(ids => ids.Any(id => id.EndsWith("watched/kite.txt", StringComparison.Ordinal)), "kite.txt indexed");

        using (var http = server.Authorized())
        using (var search = await http.PostAsync(new Uri("/api/search", UriKind.Relative), Json("""{"query":"yellow kite windy","top_k":1,"mode":"bm25"}""")))
        using (var hits = JsonDocument.Parse(await search.Content.ReadAsStringAsync()))
        {
            Assert.EndsWith("kite.txt", hits.RootElement.GetProperty("hits")[0].GetProperty("document_id").GetString(), StringComparison.Ordinal);
        }

        File.Delete(file);
        await WaitUntilAsync(ids => !ids.Any(id => id.EndsWith("watched/kite.txt", StringComparison.Ordinal)), "kite.txt removed");
    }

    [Fact]
    public void The_ingestion_queue_is_bounded_and_refuses_after_intake_stops()
    {
        var queue = new IngestionQueue(Options.Create(new RagServerOptions { IngestQueueCapacity = 2 }));
        static IngestJob Job() => new("test", (_, _) => Task.FromResult<IReadOnlyList<Rag.Ingest.Pipeline.IngestResult>>([]));
        Assert.True(queue.TryEnqueue(Job()));
        Assert.True(queue.TryEnqueue(Job()));
        Assert.False(queue.TryEnqueue(Job()));
        Assert.Equal(2, queue.Depth);
        Assert.True(queue.Reader.TryRead(out _));
        queue.Dequeued();
        queue.Complete();
        Assert.False(queue.TryEnqueue(Job()));
    }

    [Fact]
    public async Task Metrics_are_served_in_prometheus_format()
    {
        using (var http = server.Authorized())
        using (await http.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative),
            Json("""{"model":"stories260K-llama-f32","messages":[{"role":"user","content":"Once"}],"max_tokens":4,"stream":true}""")))
        {
        }

        var text = await server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("rag_generation_tokens", text, StringComparison.Ordinal);
        Assert.Contains("rag_generation_time_to_first_token", text, StringComparison.Ordinal);
        Assert.Contains("rag_scheduler_active_sequences", text, StringComparison.Ordinal);
        Assert.Contains("rag_ingest_queue_depth", text, StringComparison.Ordinal);
    }

    private async Task WaitUntilAsync(Func<List<string>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var doc = JsonDocument.Parse(await server.Http.GetStringAsync(new Uri("/api/documents", UriKind.Relative)));
            var ids = doc.RootElement.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("id").GetString()!).ToList();
            if (condition(ids))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; documents: {string.Join(", ", ids)}");
            await Task.Delay(100);
        }
    }
}
