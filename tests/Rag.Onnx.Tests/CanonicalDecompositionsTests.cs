using Rag.Onnx.Embeddings.Internal;

namespace Rag.Onnx.Tests;

public sealed class CanonicalDecompositionsTests
{
    [Theory]
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("café", "cafe\u0301")]
    [InlineData("Ǖ", "U\u0308\u0304")] // recursive: Ǖ = Ü + macron = U + diaeresis + macron
    [InlineData("ḗ", "e\u0304\u0301")]
    [InlineData("한", "\u1112\u1161\u11AB")] // Hangul LVT
    [InlineData("가", "\u1100\u1161")] // Hangul LV
    [InlineData("Å", "A\u030A")] // the angstrom sign is a singleton decomposition
    [InlineData("𝅗𝅥", "\U0001D157\U0001D165")] // a supplementary-plane decomposition
    [InlineData("中文 stays", "中文 stays")]
    public void Decomposes_like_unicode_nfd(string text, string expected) =>
        Assert.Equal(expected, CanonicalDecompositions.Decompose(text));
}
