using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Rag.Server.Hosting;

/// <summary>Reading JSON bodies and writing JSON responses, server-sent events and OpenAI-shaped errors.</summary>
internal static class HttpJson
{
    private static readonly byte[] s_data = "data: "u8.ToArray();
    private static readonly byte[] s_end = "\n\n"u8.ToArray();

    public static async Task<JsonDocument> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new ApiException(400, "The request body is not valid JSON: " + ex.Message, null, "invalid_json");
        }
    }

    public static async Task WriteAsync(HttpResponse response, int status, Action<Utf8JsonWriter> write, CancellationToken cancellationToken = default)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    public static Task WriteErrorAsync(HttpResponse response, int status, string message, string? param = null, string? code = null, string? type = null) =>
        WriteAsync(response, status, j =>
        {
            j.WriteStartObject();
            j.WriteStartObject("error");
            j.WriteString("message", message);
            j.WriteString("type", type ?? (status switch
            {
                401 => "authentication_error",
                403 => "permission_error",
                404 => "not_found_error",
                413 => "request_too_large",
                429 => "rate_limit_error",
                >= 500 => "server_error",
                _ => "invalid_request_error",
            }));
            WriteNullable(j, "param", param);
            WriteNullable(j, "code", code);
            j.WriteEndObject();
            j.WriteEndObject();
        });

    /// <summary>Starts a server-sent-event stream.</summary>
    public static void StartEvents(HttpResponse response)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    /// <summary>Writes one <c>data: JSON</c> event and flushes it.</summary>
    public static async Task WriteEventAsync(HttpResponse response, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(s_data);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        buffer.Write(s_end);
        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task WriteDoneAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.ASCII.GetBytes("data: [DONE]\n\n"), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public static void WriteStrings(Utf8JsonWriter j, string name, IEnumerable<string> values)
    {
        j.WriteStartArray(name);
        foreach (var v in values)
        {
            j.WriteStringValue(v);
        }

        j.WriteEndArray();
    }

    public static void WriteNullable(Utf8JsonWriter j, string name, string? value)
    {
        if (value is null)
        {
            j.WriteNull(name);
        }
        else
        {
            j.WriteString(name, value);
        }
    }
}
