using Rag.Core.Evaluation.QuestionAnswering;

namespace Rag.Core.Tests.Evaluation;

public class SquadMetricsTests
{
    // Expected values computed with the official evaluate-v1.1.py functions (normalize_answer, exact_match_score,
    // f1_score, metric_max_over_ground_truths) under Python 3.11.
    [Theory]
    [InlineData("The Eiffel Tower", new[] { "Eiffel Tower" }, "eiffel tower", 1, 1.0)]
    [InlineData("an apple", new[] { "apple" }, "apple", 1, 1.0)]
    [InlineData("Paris, France.", new[] { "paris france" }, "paris france", 1, 1.0)]
    [InlineData("  New\tYork \n City ", new[] { "New York City" }, "new york city", 1, 1.0)]
    [InlineData("theater anthem", new[] { "ater nthem" }, "theater anthem", 0, 0.0)]
    [InlineData("the-end", new[] { "end" }, "theend", 0, 0.0)]
    [InlineData("Denver Broncos", new[] { "Broncos", "Denver Broncos", "The Denver Broncos" }, "denver broncos", 1, 1.0)]
    [InlineData("the big red dog", new[] { "a red dog barked" }, "big red dog", 0, 0.6666666667)]
    [InlineData("red red red", new[] { "red" }, "red red red", 0, 0.5)]
    [InlineData("Beyoncé\u2019s", new[] { "Beyoncé's" }, "beyoncé\u2019s", 0, 0.0)]
    [InlineData("", new[] { "the" }, "", 1, 0.0)]
    [InlineData("", new[] { "x" }, "", 0, 0.0)]
    [InlineData("THE A AN", new[] { "" }, "", 1, 0.0)]
    [InlineData("1,000", new[] { "1000" }, "1000", 1, 1.0)]
    [InlineData("a\u00b2 an", new[] { "a\u00b2" }, "a\u00b2", 1, 1.0)]
    [InlineData("à la carte", new[] { "la carte" }, "à la carte", 0, 0.8)]
    [InlineData("Santa Clara, California", new[] { "Levi's Stadium", "Santa Clara", "Levi's Stadium in the San Francisco Bay Area at Santa Clara, California" },
        "santa clara california", 0, 0.8)]
    public void Matches_the_official_script(string prediction, string[] golds, string normalized, double em, double f1)
    {
        Assert.Equal(normalized, SquadMetrics.Normalize(prediction));
        var score = SquadMetrics.Score(prediction, golds);
        Assert.Equal(em, score.ExactMatch);
        Assert.Equal(f1, score.F1, 9);
    }

    [Fact]
    public void No_gold_answer_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => SquadMetrics.F1("x", Array.Empty<string>()));
    }
}
