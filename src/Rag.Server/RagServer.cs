using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Rag.Server.Api;
using Rag.Server.Hosting;
using Rag.Server.Metrics;
using Rag.Server.OpenAi;
using Rag.Server.Security;
using Rag.Server.Worker;

namespace Rag.Server;

/// <summary>
/// The Rag server: one process serving the OpenAI-compatible API (<c>/v1/models</c>, <c>/v1/chat/completions</c>,
/// <c>/v1/embeddings</c>), the Rag API (<c>/api/ingest</c>, <c>/api/documents</c>, <c>/api/search</c>, <c>/api/ask</c>),
/// health (<c>/healthz</c>, <c>/readyz</c>) and OpenTelemetry metrics in Prometheus format (<c>/metrics</c>: generated
/// tokens, time to first token, retrieval latency, 429s, active sequences, ingestion queue depth), with the ingestion worker and watched
/// folders in the background. Everything composes through <c>services.AddRag(configuration)</c>.
/// </summary>
public static class RagServer
{
    /// <summary>
    /// Builds the web application from <paramref name="args"/> (ASP.NET Core's usual sources: appsettings.json,
    /// environment, command line such as <c>--urls</c> and <c>--Rag:Server:ApiKey=...</c>). Logs go to stderr; under
    /// systemd the host reports readiness and stopping and logs in the journal's format.
    /// </summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="configure">Adds to the composition (for example another embedding generator) before the server's parts.</param>
    public static WebApplication Build(string[] args, Action<IRagBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSystemd();
        builder.WebHost.UseKestrel(k =>
        {
            var limit = builder.Configuration.GetValue<long?>($"{RagServiceCollectionExtensions.SectionName}:{RagServerOptions.SectionName}:{nameof(RagServerOptions.MaxRequestBodyBytes)}");
            k.Limits.MaxRequestBodySize = limit ?? new RagServerOptions().MaxRequestBodyBytes;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        var rag = builder.Services.AddRag(builder.Configuration);
        configure?.Invoke(rag);
        rag.AddRagServer();
        var app = builder.Build();
        app.MapRagServer();
        return app;
    }

    /// <summary>
    /// Registers the server's parts: the models (<c>Rag:Model:Chat</c>, <c>Rag:Model:Embedding</c>), the index store,
    /// ingestion and the answerer, the server options (<c>Rag:Server</c>, validated at start), the ingestion queue and
    /// worker, the folder watcher, readiness and metrics.
    /// </summary>
    public static IRagBuilder AddRagServer(this IRagBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServerModels();
        builder.AddIngestion();
        builder.AddAnswerer();
        var services = builder.Services;
        services.AddOptions<RagServerOptions>().Bind(builder.Configuration.GetSection(RagServerOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(ServerMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
        services.TryAddSingleton<ServerMetrics>();
        services.TryAddSingleton<Grounding>();
        services.TryAddSingleton<IngestionQueue>();
        services.TryAddSingleton<Readiness>();
        services.AddHostedService(sp => sp.GetRequiredService<Readiness>());
        services.AddHostedService<IngestionWorker>();
        services.AddHostedService<FolderWatcher>();
        return builder;
    }

    /// <summary>Adds the error mapping and maps every endpoint.</summary>
    public static WebApplication MapRagServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<ErrorHandling>();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (HttpContext http) =>
        {
            var readiness = http.RequestServices.GetRequiredService<Readiness>();
            return readiness.IsReady ? Results.Text("ready") : Results.Text(readiness.State, statusCode: 503);
        });

        app.MapPrometheusScrapingEndpoint("/metrics");

        var reads = app.MapGroup("").WithMetadata(ApiKeyRequirement.Read);
        reads.MapGet("/v1/models", OpenAiEndpoints.ListModelsAsync);
        reads.MapGet("/v1/models/{id}", OpenAiEndpoints.GetModelAsync);
        reads.MapPost("/v1/chat/completions", OpenAiEndpoints.ChatCompletionsAsync);
        reads.MapPost("/v1/embeddings", OpenAiEndpoints.EmbeddingsAsync);
        reads.MapGet("/api/documents", RagApiEndpoints.ListDocumentsAsync);
        reads.MapGet("/api/documents/{**id}", RagApiEndpoints.GetDocumentAsync);
        reads.MapPost("/api/search", RagApiEndpoints.SearchAsync);
        reads.MapPost("/api/ask", RagApiEndpoints.AskAsync);

        var writes = app.MapGroup("").WithMetadata(ApiKeyRequirement.Write);
        writes.MapPost("/api/ingest", RagApiEndpoints.IngestAsync);
        writes.MapDelete("/api/documents/{**id}", RagApiEndpoints.DeleteDocumentAsync);
        return app;
    }
}
