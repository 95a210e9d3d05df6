using System.Net;
using System.Text.Json;
using static Rag.Server.Tests.OpenAiSdkTests;

namespace Rag.Server.Tests;

/// <summary>Acceptance 3: 401 without or with a wrong key on writes, 400/403 for paths, 413 for oversized bodies.</summary>
[Collection(ServerCollection.Name)]
public class SecurityTests(ServerFixture server)
{
    private static readonly Uri Ingest = new("/api/ingest", UriKind.Relative);

    [Fact]
    public async Task Ingest_and_delete_without_a_key_or_with_a_wrong_key_get_401_and_change_nothing()
    {
        var body = """{"id":"sneaky.txt","text":"should not be indexed"}""";
        using (var none = await server.Http.PostAsync(Ingest, Json(body)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            using var error = JsonDocument.Parse(await none.Content.ReadAsStringAsync());
            Assert.Equal("missing_api_key", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        }

        using var wrong = new HttpClient { BaseAddress = server.BaseAddress };
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", "wrong-key");
        using (var bad = await wrong.PostAsync(Ingest, Json(body)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        }

        using (var del = await server.Http.DeleteAsync(new Uri("/api/documents/anything.txt", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, del.StatusCode);
        }

        using (var del = await wrong.DeleteAsync(new Uri("/api/documents/anything.txt", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, del.StatusCode);
        }

        var list = await server.Http.GetStringAsync(new Uri("/api/documents", UriKind.Relative));
        Assert.DoesNotContain("sneaky.txt", list, StringComparison.Ordinal);

        // The key in X-Api-Key works too.
        using var header = new HttpClient { BaseAddress = server.BaseAddress };
        header.DefaultRequestHeaders.Add("X-Api-Key", ServerFixture.ApiKey);
        using var ok = await header.PostAsync(Ingest, Json("""{"id":"keyed.txt","text":"indexed with the header key"}"""));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task A_path_outside_the_roots_gets_403_and_a_relative_one_400()
    {
        using var http = server.Authorized();
        var outside = Path.Combine(server.DataDir, "secret.txt");
        await File.WriteAllTextAsync(outside, "secret");
        using (var forbidden = await http.PostAsync(Ingest, Json(JsonSerializer.Serialize(new { paths = new[] { outside } }))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        var escape = Path.Combine(server.AllowedRoot, "..", "secret.txt");
        using (var dots = await http.PostAsync(Ingest, Json(JsonSerializer.Serialize(new { paths = new[] { escape } }))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, dots.StatusCode);
        }

        var link = Path.Combine(server.AllowedRoot, "link-out");
        if (!Directory.Exists(link))
        {
            Directory.CreateSymbolicLink(link, server.DataDir);
        }

        using (var linked = await http.PostAsync(Ingest, Json(JsonSerializer.Serialize(new { paths = new[] { Path.Combine(link, "secret.txt") } }))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, linked.StatusCode);
        }

        using (var relative = await http.PostAsync(Ingest, Json("""{"paths":["notes/tree.txt"]}""")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, relative.StatusCode);
        }

        var list = await http.GetStringAsync(new Uri("/api/documents", UriKind.Relative));
        Assert.DoesNotContain("secret", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_body_gets_413_with_or_without_a_content_length()
    {
        using var http = server.Authorized();
        var big = JsonSerializer.Serialize(new { id = "big.txt", text = new string('x', 100_000) });

        // With a Content-Length: refused before the body is read (the client waits for 100-continue, as curl does).
        using (var request = new HttpRequestMessage(HttpMethod.Post, Ingest) { Content = Json(big) })
        {
            request.Headers.ExpectContinue = true;
            using var sized = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, sized.StatusCode);
        }

        // Chunked (no Content-Length): Kestrel stops reading at the limit. Raw HTTP/1.1, so the whole body is sent first.
        using (var tcp = new System.Net.Sockets.TcpClient())
        {
            await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
            var stream = tcp.GetStream();
            var head = $"POST /api/ingest HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nAuthorization: Bearer {ServerFixture.ApiKey}\r\n" +
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            var body = new System.Text.StringBuilder();
            for (var i = 0; i < big.Length; i += 4096)
            {
                var piece = big.Substring(i, Math.Min(4096, big.Length - i));
                body.Append(piece.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n").Append(piece).Append("\r\n");
            }

            body.Append("0\r\n\r\n");
            var bytes = System.Text.Encoding.ASCII.GetBytes(head + body);
            try
            {
                await stream.WriteAsync(bytes);
            }
            catch (IOException)
            {
                // The server may answer and close before the last chunk; the status line is still there to read.
            }

            using var reader = new StreamReader(stream);
            var status = await reader.ReadLineAsync();
            Assert.StartsWith("HTTP/1.1 413", status, StringComparison.Ordinal);
        }

        var list = await http.GetStringAsync(new Uri("/api/documents", UriKind.Relative));
        Assert.DoesNotContain("big.txt", list, StringComparison.Ordinal);
    }
}
