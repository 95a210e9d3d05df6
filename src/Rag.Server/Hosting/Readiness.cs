using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rag.Core.Retrieval;
using Rag.Core.Storage;
using Rag.Server.Metrics;

namespace Rag.Server.Hosting;

/// <summary>
/// Loads the models and opens the store in the background at start; <c>/readyz</c> answers 200 once both are done.
/// Model endpoints answer 503 with <c>Retry-After</c> until then.
/// </summary>
internal sealed partial class Readiness(IServiceProvider services, ILogger<Readiness> logger) : IHostedService
{
    private volatile Task? _loading;

    public bool IsReady => _loading is { IsCompletedSuccessfully: true };

    public string State => _loading switch
    {
        null => "starting",
        { IsCompletedSuccessfully: true } => "ready",
        { IsFaulted: true } t => "failed: " + t.Exception!.GetBaseException().Message,
        _ => "loading",
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loading = Task.Run(() =>
        {
            try
            {
                ModelComposition.Load(services);
                _ = services.GetRequiredService<IndexStore>();
                _ = services.GetRequiredService<IRetriever>();
                services.GetRequiredService<ServerMetrics>().Ready = true;
                LogReady(logger);
            }
            catch (Exception ex)
            {
                LogFailed(logger, ex);
                throw;
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Throws 503 unless the models are loaded.</summary>
    public static void Require(IServiceProvider services)
    {
        var readiness = services.GetRequiredService<Readiness>();
        if (!readiness.IsReady)
        {
            throw new ApiException(503, $"The server is not ready ({readiness.State}).", null, "not_ready");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Models loaded and index open: ready")]
    private static partial void LogReady(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Loading the models or opening the index failed; the server is not ready")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
