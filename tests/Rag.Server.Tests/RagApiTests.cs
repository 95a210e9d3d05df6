using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using static Rag.Server.Tests.OpenAiSdkTests;

namespace Rag.Server.Tests;

/// <summary>The Rag endpoints over real HTTP: ingest (text, paths, upload), documents, search, ask (streaming and not).</summary>
[Collection(ServerCollection.Name)]
public class RagApiTests(ServerFixture server)
{
    [Fact]
    public async Task Ingested_text_is_listed_searched_answered_with_citations_and_deleted()
    {
        using var http = server.Authorized();
        using (var ingest = await http.PostAsync(new Uri("/api/ingest", UriKind.Relative), Json("""
            {"documents":[
              {"id":"api/dog.md","title":"The dog","text":"# Dog\nThe brown dog Max barks at the mailman every morning."},
              {"id":"api/cat.md","title":"The cat","text":"# Cat\nThe grey cat sleeps on the warm windowsill all afternoon."}]}
            """)))
        {
            Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
            using var results = JsonDocument.Parse(await ingest.Content.ReadAsStringAsync());
            Assert.All(results.RootElement.GetProperty("results").EnumerateArray(), r => Assert.Equal("indexed", r.GetProperty("status").GetString()));
        }

        using (var list = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/documents", UriKind.Relative))))
        {
            var ids = list.RootElement.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("id").GetString()).ToList();
            Assert.Contains("api/dog.md", ids);
            Assert.Contains("api/cat.md", ids);
        }

        using (var one = await http.GetAsync(new Uri("/api/documents/api/dog.md", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        }

        using (var search = await http.PostAsync(new Uri("/api/search", UriKind.Relative), Json("""{"query":"mailman barks","top_k":3,"mode":"bm25"}""")))
        {
            using var hits = JsonDocument.Parse(await search.Content.ReadAsStringAsync());
            Assert.Equal("api/dog.md", hits.RootElement.GetProperty("hits")[0].GetProperty("document_id").GetString());
        }

        using (var ask = await http.PostAsync(new Uri("/api/ask", UriKind.Relative), Json("""{"question":"Who barks at the mailman?","top_k":2,"max_tokens":12}""")))
        {
            Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
            using var answer = JsonDocument.Parse(await ask.Content.ReadAsStringAsync());
            Assert.False(string.IsNullOrWhiteSpace(answer.RootElement.GetProperty("answer").GetString()));
            var sources = answer.RootElement.GetProperty("sources").EnumerateArray().ToList();
            Assert.InRange(sources.Count, 1, 2);
            Assert.Contains(sources, s => s.GetProperty("document_id").GetString() == "api/dog.md" && s.GetProperty("number").GetInt32() >= 1);
        }

        // Streaming: sources first, then deltas, then done with the citations, then [DONE].
        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/ask", UriKind.Relative)) { Content = Json("""{"question":"Who barks at the mailman?","top_k":2,"max_tokens":12,"stream":true}""") })
        using (var stream = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
            var events = (await stream.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).ToList();
            Assert.Equal("[DONE]", events[^1]);
            var types = events.SkipLast(1).Select(e => JsonDocument.Parse(e).RootElement.GetProperty("type").GetString()).ToList();
            Assert.Equal("sources", types[0]);
            Assert.Equal("done", types[^1]);
            Assert.Contains("delta", types);
        }

        using (var delete = await http.DeleteAsync(new Uri("/api/documents/api/cat.md", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }

        using (var gone = await http.GetAsync(new Uri("/api/documents/api/cat.md", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using (var again = await http.DeleteAsync(new Uri("/api/documents/api/cat.md", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }
    }

    [Fact]
    public async Task Paths_under_an_allowed_root_and_uploads_are_ingested()
    {
        using var http = server.Authorized();
        var file = Path.Combine(server.AllowedRoot, "notes", "tree.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, "The old oak tree in the garden has a swing.");
        using (var ingest = await http.PostAsync(new Uri("/api/ingest", UriKind.Relative), Json(JsonSerializer.Serialize(new { paths = new[] { file } }))))
        {
            var body = await ingest.Content.ReadAsStringAsync();
            Assert.True(ingest.StatusCode == HttpStatusCode.OK, body);
            Assert.Contains("\"indexed\"", body, StringComparison.Ordinal);
        }

        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent("# Boat\nA small blue boat floats on the lake."u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("text/markdown");
        form.Add(content, "file", "boat.md");
        using (var upload = await http.PostAsync(new Uri("/api/ingest", UriKind.Relative), form))
        {
            var body = await upload.Content.ReadAsStringAsync();
            Assert.True(upload.StatusCode == HttpStatusCode.OK, body);
        }

        using var list = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/documents", UriKind.Relative)));
        var ids = list.RootElement.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("id").GetString()).ToList();
        Assert.Contains("boat.md", ids);
        Assert.Contains(ids, id => id!.EndsWith("tree.txt", StringComparison.Ordinal));

        // The upload went through the Markdown loader: its chunks carry the heading as their section.
        using var search = await http.PostAsync(new Uri("/api/search", UriKind.Relative), Json("""{"query":"blue boat lake","top_k":1,"mode":"bm25"}"""));
        using var hits = JsonDocument.Parse(await search.Content.ReadAsStringAsync());
        var hit = hits.RootElement.GetProperty("hits")[0];
        Assert.Equal("boat.md", hit.GetProperty("document_id").GetString());
        Assert.Equal("Boat", hit.GetProperty("section")[0].GetString());
    }

    [Fact]
    public async Task Health_is_up_and_ready_once_models_are_loaded()
    {
        Assert.Equal("ok", await server.Http.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        Assert.Equal("ready", await server.Http.GetStringAsync(new Uri("/readyz", UriKind.Relative)));
    }
}
