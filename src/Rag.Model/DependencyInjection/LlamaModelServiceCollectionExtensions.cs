using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rag.Model;
using Rag.Model.Native;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>DI registration for Rag.Model.</summary>
public static class LlamaModelServiceCollectionExtensions
{
    /// <summary>
    /// Registers validated <see cref="LlamaModelOptions"/>, the llama.cpp backend (<see cref="LlamaBackendInfo"/>,
    /// initialised on first use) and a singleton <see cref="LlamaModel"/> loaded lazily from
    /// <see cref="LlamaModelOptions.ChatModelPath"/>. Options are validated when the host starts.
    /// </summary>
    public static IServiceCollection AddRagModel(this IServiceCollection services, Action<LlamaModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<LlamaModelOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.AddSingleton<IValidateOptions<LlamaModelOptions>, LlamaModelOptionsValidator>();

        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<LlamaModelOptions>>().Value;
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("Rag.Model.LlamaBackend") ?? NullLogger.Instance;
            return LlamaBackend.Initialize(new LlamaBackendOptions { NativeLibraryPath = o.NativeLibraryPath, EnableGpu = o.EnableGpu }, logger);
        });

        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<LlamaModelOptions>>().Value;
            _ = sp.GetRequiredService<LlamaBackendInfo>();
            var path = o.ResolveChatModelPath()
                ?? throw new InvalidOperationException($"No chat model configured: set {LlamaModelOptions.SectionName}:ChatModelPath or ${LlamaModelOptions.ChatModelEnvironmentVariable}.");
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger<LlamaModel>() ?? (ILogger)NullLogger.Instance;
            return LlamaModel.Load(path, new LlamaModelLoadOptions { GpuLayers = o.GpuLayers }, logger);
        });

        return services;
    }

    private sealed class LlamaModelOptionsValidator : IValidateOptions<LlamaModelOptions>
    {
        public ValidateOptionsResult Validate(string? name, LlamaModelOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
