using System.Text;

namespace Rag.Core.Indexing;

/// <summary>
/// The one mapping from a chunk id (a string) to the 64-bit id stored in vector indexes.
/// Both the ingestion pipeline and retrieval use it, so a vector hit resolves to its chunk through
/// <see cref="IKeywordSearcher.GetByVectorId"/>.
/// </summary>
/// <remarks>
/// The id is FNV-1a 64 over the UTF-8 bytes of the chunk id, with the sign bit cleared. FNV-1a is
/// specified bit-for-bit, so the value never changes across processes, runtimes or versions
/// (unlike <see cref="string.GetHashCode()"/>). The sign bit is cleared because FAISS uses -1 as
/// "no result". Collisions: with a million chunks the chance of any collision is about 5e-8.
/// </remarks>
public static class ChunkIds
{
    private const ulong OffsetBasis = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    /// <summary>Returns the stable, non-negative vector id of a chunk id.</summary>
    /// <exception cref="ArgumentException">The chunk id is null or empty.</exception>
    public static long ToVectorId(string chunkId)
    {
        ArgumentException.ThrowIfNullOrEmpty(chunkId);
        Span<byte> stack = stackalloc byte[256];
        int max = Encoding.UTF8.GetMaxByteCount(chunkId.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= stack.Length ? stack : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int n = Encoding.UTF8.GetBytes(chunkId, buffer);
            ulong hash = OffsetBasis;
            foreach (byte b in buffer[..n])
            {
                hash ^= b;
                hash *= Prime;
            }

            return (long)(hash & 0x7FFF_FFFF_FFFF_FFFFUL);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
