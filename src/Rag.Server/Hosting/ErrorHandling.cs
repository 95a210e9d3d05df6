using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rag.Model.Inference;
using Rag.Model.Sampling;
using Rag.Model.Serving;
using Rag.Server.Api;
using Rag.Server.Metrics;
using Rag.Server.Security;
using Rag.Server.Worker;

namespace Rag.Server.Hosting;

/// <summary>
/// Maps failures to OpenAI-shaped errors: <see cref="ApiException"/> to its status, a full scheduler or queue to 429 with
/// <c>Retry-After</c>, an oversized body to 413, bad generation settings to 400, shutdown to 503. A client that went
/// away gets nothing (its generation was cancelled through <see cref="HttpContext.RequestAborted"/>).
/// </summary>
internal sealed partial class ErrorHandling(RequestDelegate next, ILogger<ErrorHandling> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var limit = http.RequestServices.GetRequiredService<IOptions<RagServerOptions>>().Value.MaxRequestBodyBytes;
        if (http.Request.ContentLength > limit)
        {
            await HttpJson.WriteErrorAsync(http.Response, 413, $"The request body is larger than {limit} bytes (Rag:Server:MaxRequestBodyBytes).", null, "request_too_large")
                .ConfigureAwait(false);
            return;
        }

        try
        {
            if (http.GetEndpoint()?.Metadata.GetMetadata<ApiKeyRequirement>() is { } key)
            {
                ApiKeyRequirement.Check(http, key.IsWrite);
            }

            await next(http).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            LogDisconnected(logger, http.Request.Path);
        }
        catch (Exception ex) when (!http.Response.HasStarted && Map(ex) is { } error)
        {
            if (error.Status == 429)
            {
                http.Response.Headers.RetryAfter = http.RequestServices.GetRequiredService<IOptions<RagServerOptions>>().Value.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (ex is LlamaSchedulerOverloadedException)
                {
                    http.RequestServices.GetRequiredService<ServerMetrics>().Rejected.Add(1);
                }
            }
            else if (error.Status == 503)
            {
                http.Response.Headers.RetryAfter = "5";
            }
            else if (error.Status >= 500)
            {
                LogFailed(logger, ex, http.Request.Path);
            }

            await HttpJson.WriteErrorAsync(http.Response, error.Status, error.Message, error.Param, error.Code).ConfigureAwait(false);
        }
        catch (Exception ex) when (http.Response.HasStarted)
        {
            // Mid-stream: the status is sent; end the stream with an error event the client can see.
            LogFailed(logger, ex, http.Request.Path);
            try
            {
                await HttpJson.WriteEventAsync(http.Response, j =>
                {
                    j.WriteStartObject();
                    j.WriteStartObject("error");
                    j.WriteString("message", ex.Message);
                    j.WriteString("type", "server_error");
                    j.WriteEndObject();
                    j.WriteEndObject();
                }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception) when (http.RequestAborted.IsCancellationRequested)
            {
            }
        }
    }

    private static ApiException? Map(Exception ex) => ex switch
    {
        ApiException api => api,
        LlamaSchedulerOverloadedException o => new ApiException(429, o.Message, null, "overloaded"),
        OverloadedException o => new ApiException(429, o.Message, null, "overloaded"),
        BadHttpRequestException { StatusCode: 413 } => new ApiException(413, "The request body is too large (Rag:Server:MaxRequestBodyBytes).", null, "request_too_large"),
        BadHttpRequestException b => new ApiException(b.StatusCode, b.Message, null, "bad_request"),
        ShuttingDownException s => new ApiException(503, s.Message, null, "shutting_down"),
        LlamaContextOverflowException c => new ApiException(400, c.Message, "messages", "context_length_exceeded"),
        LlamaGrammarException g => new ApiException(400, g.Message, "response_format", "invalid_schema"),
        InvalidDataException d => new ApiException(400, d.Message, null, "invalid_request_error"),
        ArgumentException a => new ApiException(400, a.Message, a.ParamName, "invalid_request_error"),
        _ => new ApiException(500, "Internal error: " + ex.Message, null, "internal_error"),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Client disconnected from {Path}; its generation was cancelled")]
    private static partial void LogDisconnected(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request to {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception ex, string path);
}
