using Rag.Core.Evaluation.Internal;

namespace Rag.Core.Tests.Evaluation;

public class PorterStemmerTests
{
    // TestData/porter_nltk.tsv: 4,044 words (from BEGIN and Porter's paper examples) stemmed by NLTK 3.8's
    // PorterStemmer() in its default NLTK_EXTENSIONS mode, the stemmer rouge-score uses; porter_vectors.py made it.
    [Fact]
    public void Equals_nltk_porter_stemmer_on_every_vector()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Evaluation", "TestData", "porter_nltk.tsv"))
            .Where(l => !l.StartsWith('#')).ToList();
        Assert.True(lines.Count > 4000);
        var wrong = lines.Select(l => l.Split('\t')).Where(p => PorterStemmer.Stem(p[0]) != p[1])
            .Select(p => $"{p[0]}: {PorterStemmer.Stem(p[0])} != {p[1]}").ToList();
        Assert.Empty(wrong);
    }

    [Theory]
    [InlineData("generously", "gener")]
    [InlineData("dying", "die")]
    [InlineData("analogi", "analog")]
    [InlineData("this", "thi")]
    [InlineData("oing", "o")]
    public void Nltk_extensions_are_applied(string word, string stem) => Assert.Equal(stem, PorterStemmer.Stem(word));
}
