using Rag.Core.Indexing;

namespace Rag.Core.Tests.Indexing;

public class ChunkIdsTests
{
    [Fact]
    public void ToVectorId_is_fnv1a64_with_sign_bit_cleared()
    {
        // FNV-1a 64 test vectors from the FNV reference: "a" -> 0xaf63dc4c8601ec8c, "foobar" -> 0x85944171f73967e8.
        Assert.Equal(0x2f63dc4c8601ec8cL, ChunkIds.ToVectorId("a"));
        Assert.Equal(0x05944171f73967e8L, ChunkIds.ToVectorId("foobar"));
    }

    [Fact]
    public void ToVectorId_is_non_negative_and_distinct_for_many_ids()
    {
        var seen = new HashSet<long>();
        for (int d = 0; d < 2000; d++)
        {
            for (int o = 0; o < 10; o++)
            {
                long id = ChunkIds.ToVectorId(Rag.Core.Documents.Chunk.MakeId($"doc-{d}.md", o));
                Assert.True(id >= 0);
                Assert.True(seen.Add(id));
            }
        }
    }

    [Fact]
    public void ToVectorId_handles_long_and_non_ascii_ids()
    {
        string longId = new string('é', 1000) + "#3";
        Assert.Equal(ChunkIds.ToVectorId(longId), ChunkIds.ToVectorId(new string(longId.ToCharArray())));
        Assert.NotEqual(ChunkIds.ToVectorId("é#0"), ChunkIds.ToVectorId("e#0"));
        Assert.Throws<ArgumentException>(() => ChunkIds.ToVectorId(""));
    }
}
