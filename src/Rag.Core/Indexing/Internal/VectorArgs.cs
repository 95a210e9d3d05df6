namespace Rag.Core.Indexing.Internal;

/// <summary>Argument checks shared by the vector indexes, so both fail the same way on bad input.</summary>
internal static class VectorArgs
{
    public static void CheckAdd(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors, int dimension)
    {
        if (vectors.Length != (long)ids.Length * dimension)
        {
            throw new ArgumentException(
                $"Expected {ids.Length} vectors of dimension {dimension} ({(long)ids.Length * dimension} floats), got {vectors.Length} floats.",
                nameof(vectors));
        }

        var seen = new HashSet<long>(ids.Length);
        foreach (long id in ids)
        {
            if (id < 0)
            {
                throw new ArgumentException($"Vector ids must be non-negative (got {id}); use ChunkIds.ToVectorId.", nameof(ids));
            }

            if (!seen.Add(id))
            {
                throw new ArgumentException($"Vector id {id} appears twice in one Add call.", nameof(ids));
            }
        }
    }

    public static void CheckQuery(ReadOnlySpan<float> query, int dimension, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (query.Length != dimension)
        {
            throw new ArgumentException($"Query has {query.Length} dimensions; the index has {dimension}.", nameof(query));
        }
    }

    public static int CheckBatch(ReadOnlySpan<float> queries, int dimension, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (queries.Length % dimension != 0)
        {
            throw new ArgumentException($"Query batch length {queries.Length} is not a multiple of the dimension {dimension}.", nameof(queries));
        }

        return queries.Length / dimension;
    }
}
