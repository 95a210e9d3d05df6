using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rag.Core.Indexing;

/// <summary>Creates and loads vector indexes: FAISS when the shim is available (or required), else the managed exact index.</summary>
public sealed class VectorIndexFactory
{
    private readonly VectorIndexOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the factory; <paramref name="options"/> are validated.</summary>
    public VectorIndexFactory(VectorIndexOptions? options = null, ILogger<VectorIndexFactory>? logger = null)
    {
        _options = options ?? new VectorIndexOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The backend <see cref="Create"/> will use: resolves <see cref="VectorBackend.Auto"/>.</summary>
    public VectorBackend EffectiveBackend
    {
        get
        {
            if (_options.Backend != VectorBackend.Auto)
            {
                return _options.Backend;
            }

            return FaissNativeLibrary.TryLoad(out _, _options.NativeLibraryPath) ? VectorBackend.Faiss : VectorBackend.Managed;
        }
    }

    /// <summary>Creates an empty index of <paramref name="dimension"/>.</summary>
    public IVectorIndex Create(int dimension)
    {
        var backend = EffectiveBackend;
        if (backend == VectorBackend.Faiss)
        {
            _logger.LogInformation("Vector index: FAISS {Description} (shim {Path}), dimension {Dimension}",
                _options.FaissDescription, FaissNativeLibrary.LoadedPath ?? "?", dimension);
            return FaissVectorIndex.Create(dimension, _options, _logger);
        }

        if (_options.Backend == VectorBackend.Auto)
        {
            FaissNativeLibrary.TryLoad(out string? reason, _options.NativeLibraryPath);
            _logger.LogWarning("Vector index: managed exact search (FAISS shim unavailable: {Reason})", reason);
        }
        else
        {
            _logger.LogInformation("Vector index: managed exact search, dimension {Dimension}", dimension);
        }

        return new ManagedVectorIndex(dimension);
    }

    /// <summary>Loads an index saved by either implementation, recognizing the file format.</summary>
    public IVectorIndex Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (IsManagedFile(path))
        {
            _logger.LogInformation("Vector index: loading managed index {Path}", path);
            return ManagedVectorIndex.Load(path);
        }

        _logger.LogInformation("Vector index: loading FAISS index {Path}", path);
        return FaissVectorIndex.Load(path, _options, _logger);
    }

    private static bool IsManagedFile(string path)
    {
        using var fs = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[8];
        return fs.Read(magic) == 8 && magic.SequenceEqual("RAGMVEC1"u8);
    }
}
