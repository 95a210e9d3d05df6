using Rag.Model.Inference.Internal;

namespace Rag.Model.Tests;

public class StopStringMatcherTests
{
    [Fact]
    public void Holds_back_possible_prefixes_and_releases_them()
    {
        var m = new StopStringMatcher(["</end>"]);
        Assert.Equal("abc", m.Push("abc</", out var s1));
        Assert.False(s1);
        Assert.Equal("</x", m.Push("x", out var s2));
        Assert.False(s2);
        Assert.Equal("", m.Push("</e", out _));
        Assert.Equal("", m.Push("nd>tail", out var s3));
        Assert.True(s3);
    }

    [Fact]
    public void Earliest_stop_wins_and_flush_returns_the_rest()
    {
        var m = new StopStringMatcher(["BB", "A"]);
        Assert.Equal("x", m.Push("xABB", out var s));
        Assert.True(s);
        var n = new StopStringMatcher(["stop"]);
        Assert.Equal("hello ", n.Push("hello st", out _));
        Assert.Equal("st", n.Flush());
    }
}
