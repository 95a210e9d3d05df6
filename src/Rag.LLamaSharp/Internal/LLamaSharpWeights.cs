using LLama;
using LLama.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rag.Core.Configuration;

namespace Rag.LLamaSharp.Internal;

/// <summary>
/// The LLamaSharp weights of each role, loaded on first use (after the native-stack guard) and freed with the
/// container. Roles that name the same file share one <see cref="LLamaWeights"/>.
/// </summary>
internal sealed class LLamaSharpWeights : IDisposable
{
    private readonly IOptionsMonitor<LLamaSharpModelOptions> _options;
    private readonly ILogger _logger;
    private readonly Dictionary<string, LLamaWeights> _byPath = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _disposed;

    public LLamaSharpWeights(IOptionsMonitor<LLamaSharpModelOptions> options, ILogger<LLamaSharpWeights>? logger = null)
    {
        _options = options;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>The options of <paramref name="role"/>.</summary>
    public LLamaSharpModelOptions Options(string role) => _options.Get(role);

    /// <summary>The model file of <paramref name="role"/>, resolved like Rag.Model's (path, else name in ./models or shared/models).</summary>
    public string ModelPath(string role)
    {
        var configured = Options(role).ModelPath;
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new OptionsValidationException(role, typeof(LLamaSharpModelOptions),
                [$"no {role.ToLowerInvariant()} model is configured for LLamaSharp: set Rag:{LLamaSharpRoles.RelativeSectionOf(role)}:{nameof(LLamaSharpModelOptions.ModelPath)}"]);
        }

        return File.Exists(configured) ? Path.GetFullPath(configured) : RagPaths.ResolveModel(null, null, configured);
    }

    /// <summary>LLamaSharp's parameters for <paramref name="role"/>.</summary>
    public ModelParams Parameters(string role, bool embeddings = false)
    {
        var o = Options(role);
        return new ModelParams(ModelPath(role))
        {
            ContextSize = (uint)o.ContextSize,
            BatchSize = (uint)o.BatchSize,
            UBatchSize = (uint)o.BatchSize,
            Threads = o.Threads,
            BatchThreads = o.Threads,
            GpuLayerCount = o.GpuLayers,
            Embeddings = embeddings,
        };
    }

    /// <summary>
    /// Parameters of the embedding role: the model's own pooling, or mean pooling when the GGUF declares none (a
    /// decoder-only model), so that every input gives one vector.
    /// </summary>
    public ModelParams EmbeddingParameters(LLamaWeights weights)
    {
        var p = Parameters(LLamaSharpRoles.Embedding, embeddings: true);
        var arch = weights.Metadata.GetValueOrDefault("general.architecture");
        if (arch is null || !weights.Metadata.ContainsKey(arch + ".pooling_type"))
        {
            p.PoolingType = LLama.Native.LLamaPoolingType.Mean;
        }

        return p;
    }

    /// <summary>Loads (once) the weights of <paramref name="role"/>.</summary>
    /// <exception cref="NativeStackConflictException">Another llama.cpp build is already loaded in this process.</exception>
    public LLamaWeights Get(string role)
    {
        var path = ModelPath(role);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_byPath.TryGetValue(path, out var weights))
            {
                return weights;
            }

            NativeStackGuard.ThrowIfAnotherStackIsLoaded();
            _logger.LogInformation("LLamaSharp: loading {Role} model {Path}", role, path);
            weights = LLamaWeights.LoadFromFile(Parameters(role));
            _byPath[path] = weights;
            return weights;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var w in _byPath.Values)
            {
                w.Dispose();
            }

            _byPath.Clear();
        }
    }
}
