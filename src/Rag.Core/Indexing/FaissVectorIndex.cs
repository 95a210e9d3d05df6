using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Core.Indexing.Internal;
using Rag.Core.Storage.Internal;

namespace Rag.Core.Indexing;

/// <summary>
/// A FAISS index (inner product) through our native shim: Flat, HNSW, IVF-PQ and anything else
/// <c>faiss::index_factory</c> accepts.
/// </summary>
/// <remarks>
/// <para>FAISS stores dense internal ids (0, 1, 2, … in add order, through an <c>IndexIDMap2</c>) and this class maps them to
/// the caller's 64-bit ids. That indirection gives every index type the same semantics: adding an existing id replaces
/// it, and removal works even for HNSW, which cannot delete in FAISS 1.7.3: there a removed vector becomes a tombstone
/// that searches skip (they ask FAISS for k + tombstones results). Rebuild an index whose <see cref="TombstoneCount"/> grows large.</para>
/// <para>The file written by <see cref="Save"/> is FAISS's own serialization followed by a trailer holding the id map.</para>
/// <para>Searches run concurrently; writes take an exclusive lock.</para>
/// </remarks>
public sealed class FaissVectorIndex : IVectorIndex
{
    private const long TrailerMagic = 0x3153_4941_4647_4152; // "RAGFAIS1"
    private const int TrailerVersion = 1;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly FaissIndexHandle _handle;
    private readonly VectorIndexOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<long, long> _extToInternal = [];
    private long[] _internalToExt = new long[1024];
    private long _nextInternal;
    private long _tombstones;
    private bool _removalUnsupported;

    private FaissVectorIndex(FaissIndexHandle handle, int dimension, string description, VectorIndexOptions options, ILogger? logger)
    {
        _handle = handle;
        Dimension = dimension;
        Description = description;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <summary>The FAISS factory string the index was created with.</summary>
    public string Description { get; }

    /// <inheritdoc />
    public long Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _extToInternal.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Removed vectors still inside an index type without removal (HNSW); searches skip them.</summary>
    public long TombstoneCount => Interlocked.Read(ref _tombstones);

    /// <summary>Whether the index is trained (IVF and PQ need <see cref="Train"/> before the first add).</summary>
    public bool IsTrained
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                FaissNative.Check(FaissNative.rag_faiss_is_trained(_handle, out int trained), "is_trained");
                return trained != 0;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Creates an empty index.</summary>
    /// <param name="dimension">Vector dimension.</param>
    /// <param name="options">Options (factory string, threads, HNSW/IVF parameters); validated.</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="FaissNativeLibraryException">The shim is missing.</exception>
    /// <exception cref="FaissException">FAISS rejected the factory string.</exception>
    public static FaissVectorIndex Create(int dimension, VectorIndexOptions? options = null, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        options ??= new VectorIndexOptions();
        options.Validate();
        FaissNativeLibrary.EnsureLoaded(options.NativeLibraryPath);
        int rc = FaissNative.rag_faiss_create(dimension, options.FaissDescription, 0, out var pointer);
        FaissNative.Check(rc, $"index_factory(\"{options.FaissDescription}\")");
        var index = new FaissVectorIndex(new FaissIndexHandle(pointer), dimension, options.FaissDescription, options, logger);
        index.ApplyParameters(construction: true);
        return index;
    }

    /// <summary>Loads an index written by <see cref="Save"/>; search parameters in <paramref name="options"/> override the saved ones.</summary>
    /// <exception cref="InvalidDataException">The file is not a Rag FAISS index or is truncated.</exception>
    public static FaissVectorIndex Load(string path, VectorIndexOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new VectorIndexOptions();
        options.Validate();
        FaissNativeLibrary.EnsureLoaded(options.NativeLibraryPath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"FAISS index file '{path}' does not exist.", path);
        }

        int dimension;
        string description;
        long next;
        long tombstones;
        long[] map;
        using (var fs = File.OpenRead(path))
        using (var reader = new BinaryReader(fs, Encoding.UTF8))
        {
            if (fs.Length < 16)
            {
                throw new InvalidDataException($"'{path}' is too short to be a Rag FAISS index.");
            }

            fs.Seek(-16, SeekOrigin.End);
            long trailerStart = reader.ReadInt64();
            if (reader.ReadInt64() != TrailerMagic || trailerStart < 0 || trailerStart > fs.Length - 16)
            {
                throw new InvalidDataException($"'{path}' is not a Rag FAISS index (missing trailer; was it written by FaissVectorIndex.Save?).");
            }

            fs.Seek(trailerStart, SeekOrigin.Begin);
            if (reader.ReadInt64() != TrailerMagic || reader.ReadInt32() != TrailerVersion)
            {
                throw new InvalidDataException($"'{path}' has an unknown trailer version.");
            }

            dimension = reader.ReadInt32();
            description = reader.ReadString();
            next = reader.ReadInt64();
            tombstones = reader.ReadInt64();
            map = new long[Math.Max(1024, next)];
            fs.ReadExactly(MemoryMarshal.AsBytes(map.AsSpan(0, checked((int)next))));
        }

        FaissNative.Check(FaissNative.rag_faiss_read(path, out var pointer), $"read_index('{path}')");
        var handle = new FaissIndexHandle(pointer);
        FaissNative.Check(FaissNative.rag_faiss_dimension(handle, out int nativeDim), "dimension");
        if (nativeDim != dimension)
        {
            handle.Dispose();
            throw new InvalidDataException($"'{path}': FAISS index dimension {nativeDim} does not match the trailer's {dimension}.");
        }

        var index = new FaissVectorIndex(handle, dimension, description, options, logger)
        {
            _internalToExt = map,
            _nextInternal = next,
            _tombstones = tombstones,
            _removalUnsupported = tombstones > 0,
        };
        for (long i = 0; i < next; i++)
        {
            if (map[i] >= 0)
            {
                index._extToInternal[map[i]] = i;
            }
        }

        index.ApplyParameters(construction: false);
        return index;
    }

    /// <summary>HNSW efSearch (beam width at query time).</summary>
    public int EfSearch
    {
        get => (int)GetParameter("efSearch");
        set => SetParameter("efSearch", value);
    }

    /// <summary>IVF nprobe (lists visited per query).</summary>
    public int NProbe
    {
        get => (int)GetParameter("nprobe");
        set => SetParameter("nprobe", value);
    }

    /// <summary>Trains the index (IVF, PQ) on row-major <paramref name="vectors"/>; a no-op for Flat and HNSW.</summary>
    public void Train(ReadOnlySpan<float> vectors)
    {
        if (vectors.Length == 0 || vectors.Length % Dimension != 0)
        {
            throw new ArgumentException($"Training data length {vectors.Length} is not a positive multiple of the dimension {Dimension}.", nameof(vectors));
        }

        _lock.EnterWriteLock();
        try
        {
            unsafe
            {
                fixed (float* x = vectors)
                {
                    FaissNative.Check(FaissNative.rag_faiss_train(_handle, vectors.Length / Dimension, x, _options.BuildThreads), "train");
                }
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <inheritdoc />
    public void Add(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors)
    {
        VectorArgs.CheckAdd(ids, vectors, Dimension);
        if (ids.Length == 0)
        {
            return;
        }

        _lock.EnterWriteLock();
        try
        {
            var replaced = new List<long>();
            foreach (long id in ids)
            {
                if (_extToInternal.ContainsKey(id))
                {
                    replaced.Add(id);
                }
            }

            if (replaced.Count > 0)
            {
                RemoveLocked(replaced.ToArray());
            }

            var internalIds = new long[ids.Length];
            EnsureMapCapacity(_nextInternal + ids.Length);
            for (int i = 0; i < ids.Length; i++)
            {
                internalIds[i] = _nextInternal + i;
            }

            unsafe
            {
                fixed (float* x = vectors)
                fixed (long* ii = internalIds)
                {
                    FaissNative.Check(FaissNative.rag_faiss_add_with_ids(_handle, ids.Length, x, ii, _options.BuildThreads), "add_with_ids");
                }
            }

            for (int i = 0; i < ids.Length; i++)
            {
                _internalToExt[internalIds[i]] = ids[i];
                _extToInternal[ids[i]] = internalIds[i];
            }

            _nextInternal += ids.Length;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <inheritdoc />
    public long Remove(ReadOnlySpan<long> ids)
    {
        _lock.EnterWriteLock();
        try
        {
            return RemoveLocked(ids);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <inheritdoc />
    public bool Contains(long id)
    {
        _lock.EnterReadLock();
        try
        {
            return _extToInternal.ContainsKey(id);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k)
    {
        VectorArgs.CheckQuery(query, Dimension, k);
        return SearchCore(query, 1, k)[0];
    }

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<VectorHit>> SearchBatch(ReadOnlySpan<float> queries, int k)
    {
        int n = VectorArgs.CheckBatch(queries, Dimension, k);
        return n == 0 ? [] : SearchCore(queries, n, k);
    }

    /// <inheritdoc />
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _lock.EnterReadLock();
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            DurableFile.Write(path, temp =>
            {
                FaissNative.Check(FaissNative.rag_faiss_write(_handle, temp), $"write_index('{temp}')");
                using var fs = new FileStream(temp, FileMode.Append, FileAccess.Write, FileShare.None, 1 << 20);
                using var writer = new BinaryWriter(fs, Encoding.UTF8);
                long trailerStart = fs.Position;
                writer.Write(TrailerMagic);
                writer.Write(TrailerVersion);
                writer.Write(Dimension);
                writer.Write(Description);
                writer.Write(_nextInternal);
                writer.Write(_tombstones);
                writer.Flush();
                fs.Write(MemoryMarshal.AsBytes(_internalToExt.AsSpan(0, checked((int)_nextInternal))));
                writer.Write(trailerStart);
                writer.Write(TrailerMagic);
            });
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Frees the native index.</summary>
    public void Dispose()
    {
        _lock.EnterWriteLock();
        try
        {
            _handle.Dispose();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private IReadOnlyList<VectorHit>[] SearchCore(ReadOnlySpan<float> queries, int n, int k)
    {
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            var results = new IReadOnlyList<VectorHit>[n];
            long live = _extToInternal.Count;
            if (live == 0)
            {
                Array.Fill(results, Array.Empty<VectorHit>());
                return results;
            }

            // Ask for extra results to make up for tombstones that FAISS still returns.
            long kk = Math.Min(k + _tombstones, live + _tombstones);
            var distances = new float[n * kk];
            var labels = new long[n * kk];
            unsafe
            {
                fixed (float* x = queries)
                fixed (float* d = distances)
                fixed (long* l = labels)
                {
                    FaissNative.Check(FaissNative.rag_faiss_search(_handle, n, x, kk, d, l, _options.SearchThreads), "search");
                }
            }

            for (int q = 0; q < n; q++)
            {
                var hits = new List<VectorHit>(k);
                for (long j = q * kk; j < (q + 1) * kk && hits.Count < k; j++)
                {
                    long label = labels[j];
                    if (label < 0 || label >= _nextInternal)
                    {
                        continue;
                    }

                    long ext = _internalToExt[label];
                    if (ext >= 0)
                    {
                        hits.Add(new VectorHit(ext, distances[j]));
                    }
                }

                results[q] = hits;
            }

            return results;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private long RemoveLocked(ReadOnlySpan<long> ids)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        var internalIds = new List<long>(ids.Length);
        foreach (long id in ids)
        {
            if (_extToInternal.TryGetValue(id, out long internalId))
            {
                internalIds.Add(internalId);
            }
        }

        if (internalIds.Count == 0)
        {
            return 0;
        }

        var arr = internalIds.Distinct().ToArray();
        if (!_removalUnsupported)
        {
            unsafe
            {
                fixed (long* p = arr)
                {
                    int rc = FaissNative.rag_faiss_remove_ids(_handle, p, arr.Length, out _);
                    if (rc == FaissNative.Unsupported)
                    {
                        _removalUnsupported = true;
                        _logger.LogDebug("FAISS index {Description} cannot remove; using tombstones", Description);
                    }
                    else
                    {
                        FaissNative.Check(rc, "remove_ids");
                    }
                }
            }
        }

        foreach (long internalId in arr)
        {
            _extToInternal.Remove(_internalToExt[internalId]);
            _internalToExt[internalId] = -1;
        }

        if (_removalUnsupported)
        {
            _tombstones += arr.Length;
        }

        return arr.Length;
    }

    private void EnsureMapCapacity(long needed)
    {
        if (needed > _internalToExt.Length)
        {
            Array.Resize(ref _internalToExt, (int)Math.Max(needed, Math.Min(Array.MaxLength, _internalToExt.Length * 2L)));
        }
    }

    private void ApplyParameters(bool construction)
    {
        // One options object serves every index type, so a parameter the type lacks (efSearch on Flat) is skipped.
        if (construction && _options.EfConstruction is int efc && HasParameter("efConstruction"))
        {
            SetParameter("efConstruction", efc);
        }

        if (_options.EfSearch is int efs && HasParameter("efSearch"))
        {
            SetParameter("efSearch", efs);
        }

        if (_options.NProbe is int nprobe && HasParameter("nprobe"))
        {
            SetParameter("nprobe", nprobe);
        }
    }

    private bool HasParameter(string name) => FaissNative.rag_faiss_get_parameter(_handle, name, out _) == 0;

    private void SetParameter(string name, double value)
    {
        _lock.EnterWriteLock();
        try
        {
            FaissNative.Check(FaissNative.rag_faiss_set_parameter(_handle, name, value), $"set {name}={value} on {Description}");
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private double GetParameter(string name)
    {
        _lock.EnterReadLock();
        try
        {
            FaissNative.Check(FaissNative.rag_faiss_get_parameter(_handle, name, out double value), $"get {name} on {Description}");
            return value;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }
}
