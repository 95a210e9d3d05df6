using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Rag.Core.Indexing.Internal;
using Rag.Core.Storage.Internal;

namespace Rag.Core.Indexing;

/// <summary>
/// Exact inner-product search in managed code (<see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>, SIMD).
/// The fallback when the FAISS shim is absent, and the reference for FAISS recall.
/// </summary>
/// <remarks>Vectors live in one contiguous array; removal moves the last vector into the hole, so ids are unordered.</remarks>
public sealed class ManagedVectorIndex : IVectorIndex
{
    private const long Magic = 0x3143_4556_4D47_4152; // "RAGMVEC1" little-endian
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<long, int> _slots = [];
    private float[] _data;
    private long[] _ids;
    private int _count;

    /// <summary>Creates an empty index of dimension <paramref name="dimension"/>.</summary>
    /// <param name="dimension">Vector dimension, at least 1.</param>
    /// <param name="maxDegreeOfParallelism">Threads used by one search; default 1 (searches from many callers run in parallel anyway).</param>
    public ManagedVectorIndex(int dimension, int maxDegreeOfParallelism = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDegreeOfParallelism);
        Dimension = dimension;
        MaxDegreeOfParallelism = maxDegreeOfParallelism;
        _data = new float[dimension * 16];
        _ids = new long[16];
    }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <summary>Threads used by one search.</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <inheritdoc />
    public long Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Loads an index written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a managed vector index or is truncated.</exception>
    public static ManagedVectorIndex Load(string path, int maxDegreeOfParallelism = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var fs = File.OpenRead(path);
        using var reader = new BinaryReader(fs);
        try
        {
            if (reader.ReadInt64() != Magic)
            {
                throw new InvalidDataException($"'{path}' is not a managed vector index (bad magic).");
            }

            int dim = reader.ReadInt32();
            int count = checked((int)reader.ReadInt64());
            if (dim <= 0 || count < 0)
            {
                throw new InvalidDataException($"'{path}' has an invalid header (dimension {dim}, count {count}).");
            }

            var index = new ManagedVectorIndex(dim, maxDegreeOfParallelism);
            var ids = new long[count];
            var data = new float[(long)count * dim];
            fs.ReadExactly(MemoryMarshal.AsBytes(ids.AsSpan()));
            fs.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
            index.Add(ids, data);
            return index;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"'{path}' is truncated.", e);
        }
    }

    /// <inheritdoc />
    public void Add(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors)
    {
        VectorArgs.CheckAdd(ids, vectors, Dimension);
        _lock.EnterWriteLock();
        try
        {
            EnsureCapacity(_count + ids.Length);
            for (int i = 0; i < ids.Length; i++)
            {
                var row = vectors.Slice(i * Dimension, Dimension);
                if (!_slots.TryGetValue(ids[i], out int slot))
                {
                    slot = _count++;
                    _slots[ids[i]] = slot;
                    _ids[slot] = ids[i];
                }

                row.CopyTo(_data.AsSpan(slot * Dimension, Dimension));
            }
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
            long removed = 0;
            foreach (long id in ids)
            {
                if (!_slots.Remove(id, out int slot))
                {
                    continue;
                }

                int last = --_count;
                if (slot != last)
                {
                    _data.AsSpan(last * Dimension, Dimension).CopyTo(_data.AsSpan(slot * Dimension, Dimension));
                    _ids[slot] = _ids[last];
                    _slots[_ids[slot]] = slot;
                }

                removed++;
            }

            return removed;
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
            return _slots.ContainsKey(id);
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
        _lock.EnterReadLock();
        try
        {
            return SearchLocked(query, k);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<VectorHit>> SearchBatch(ReadOnlySpan<float> queries, int k)
    {
        int n = VectorArgs.CheckBatch(queries, Dimension, k);
        var copy = queries.ToArray();
        var results = new IReadOnlyList<VectorHit>[n];
        _lock.EnterReadLock();
        try
        {
            for (int q = 0; q < n; q++)
            {
                results[q] = SearchLocked(copy.AsSpan(q * Dimension, Dimension), k);
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }

        return results;
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
                using var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
                using var writer = new BinaryWriter(fs);
                writer.Write(Magic);
                writer.Write(Dimension);
                writer.Write((long)_count);
                writer.Flush();
                fs.Write(MemoryMarshal.AsBytes(_ids.AsSpan(0, _count)));
                fs.Write(MemoryMarshal.AsBytes(_data.AsSpan(0, _count * Dimension)));
            });
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Releases the lock; the vectors are managed memory.</summary>
    public void Dispose() => _lock.Dispose();

    private List<VectorHit> SearchLocked(ReadOnlySpan<float> query, int k)
    {
        k = Math.Min(k, _count);
        if (k == 0)
        {
            return [];
        }

        if (MaxDegreeOfParallelism == 1 || _count < 10_000)
        {
            var top = new TopK(k);
            ScanRange(query, 0, _count, top);
            return top.ToSortedList();
        }

        // Split the scan into one range per thread and merge the partial top-k lists.
        int parts = MaxDegreeOfParallelism;
        var partial = new TopK[parts];
        var q = query.ToArray();
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
        {
            int from = (int)((long)_count * p / parts);
            int to = (int)((long)_count * (p + 1) / parts);
            partial[p] = new TopK(k);
            ScanRange(q, from, to, partial[p]);
        });
        var merged = new TopK(k);
        foreach (var t in partial)
        {
            foreach (var hit in t.ToSortedList())
            {
                merged.Offer(hit.Id, hit.Score);
            }
        }

        return merged.ToSortedList();
    }

    private void ScanRange(ReadOnlySpan<float> query, int from, int to, TopK top)
    {
        var data = _data.AsSpan();
        int dim = Dimension;
        for (int i = from; i < to; i++)
        {
            float score = TensorPrimitives.Dot(query, data.Slice(i * dim, dim));
            if (score > top.Threshold)
            {
                top.Offer(_ids[i], score);
            }
        }
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _ids.Length)
        {
            return;
        }

        int capacity = Math.Max(needed, (int)Math.Min(int.MaxValue / Dimension, _ids.Length * 2L));
        Array.Resize(ref _ids, capacity);
        Array.Resize(ref _data, checked(capacity * Dimension));
    }
}
