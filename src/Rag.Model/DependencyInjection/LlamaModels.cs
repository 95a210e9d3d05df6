using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rag.Core.Configuration;
using Rag.Model.Native;

namespace Rag.Model.DependencyInjection;

/// <summary>
/// The models of the configured roles, loaded on first use (after the backend) and disposed with the container. Roles
/// that name the same file with the same GPU layers share one <see cref="LlamaModel"/>.
/// </summary>
internal sealed class LlamaModels(IOptionsMonitor<LlamaModelOptions> options, IServiceProvider services, ILoggerFactory? loggerFactory = null) : IDisposable
{
    private readonly Dictionary<(string Path, int GpuLayers), LlamaModel> _loaded = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>The model file of <paramref name="role"/>: the configured path, or a bare name found in ./models or the shared models folder.</summary>
    /// <exception cref="OptionsValidationException">No model is configured for the role.</exception>
    /// <exception cref="FileNotFoundException">The configured file does not exist.</exception>
    public string ModelPath(string role)
    {
        var configured = options.Get(role).ModelPath;
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new OptionsValidationException(role, typeof(LlamaModelOptions),
                [$"no {role.ToLowerInvariant()} model is configured: set Rag:{LlamaModelRoles.RelativeSectionOf(role)}:{nameof(LlamaModelOptions.ModelPath)} " +
                 $"(appsettings.json, or the environment variable Rag__Model__{role}__ModelPath)"]);
        }

        if (File.Exists(configured))
        {
            return Path.GetFullPath(configured);
        }

        if (configured.Contains('/', StringComparison.Ordinal) || configured.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new FileNotFoundException(
                $"{role.ToLowerInvariant()} model file not found: {configured} (from Rag:{LlamaModelRoles.RelativeSectionOf(role)}:{nameof(LlamaModelOptions.ModelPath)})", configured);
        }

        return RagPaths.ResolveModel(null, null, configured);
    }

    /// <summary>Loads (once) the model of <paramref name="role"/>.</summary>
    public LlamaModel Get(string role)
    {
        var path = ModelPath(role);
        var gpuLayers = options.Get(role).GpuLayers;
        _ = services.GetService(typeof(LlamaBackendInfo));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_loaded.TryGetValue((path, gpuLayers), out var model))
            {
                model = LlamaModel.Load(path, new LlamaModelLoadOptions { GpuLayers = gpuLayers }, loggerFactory?.CreateLogger<LlamaModel>());
                _loaded[(path, gpuLayers)] = model;
            }

            return model;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var model in _loaded.Values)
            {
                model.Dispose();
            }

            _loaded.Clear();
        }
    }
}
