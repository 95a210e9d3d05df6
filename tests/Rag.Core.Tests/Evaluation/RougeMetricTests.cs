using System.Text.Json;
using Rag.Core.Evaluation.Summarization;

namespace Rag.Core.Tests.Evaluation;

public class RougeMetricTests
{
    private static string RougeDir => Path.Combine(SharedFiles.Directory, "data", "metric_reference", "rouge");

    private static RougeScore Pick(RougeScores s, string type) => type switch
    {
        "rouge1" => s.Rouge1,
        "rouge2" => s.Rouge2,
        "rougeL" => s.RougeL,
        "rougeLsum" => s.RougeLsum,
        _ => throw new InvalidDataException(type),
    };

    // Python's readlines(): each line keeps its trailing newline.
    private static List<string> ReadLines(string path)
    {
        var text = File.ReadAllText(path);
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                lines.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            lines.Add(text[start..]);
        }

        return lines;
    }

    [Fact]
    public void Scores_equal_rouge_score_test_expectations()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RougeDir, "expected.json")));
        int n = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            bool stem = c.TryGetProperty("stemmer", out var st) && st.GetBoolean();
            string target, prediction;
            if (c.TryGetProperty("file_pair", out var pair))
            {
                string t = Path.Combine(RougeDir, pair[0].GetString()!), p = Path.Combine(RougeDir, pair[1].GetString()!);
                if (c.TryGetProperty("whole_file", out _))
                {
                    (target, prediction) = (File.ReadAllText(t), File.ReadAllText(p));
                }
                else
                {
                    int line = c.GetProperty("line").GetInt32();
                    (target, prediction) = (ReadLines(t)[line], ReadLines(p)[line]);
                }
            }
            else
            {
                (target, prediction) = (c.GetProperty("target").GetString()!, c.GetProperty("prediction").GetString()!);
            }

            // Expectations are given to 5 decimals (rouge-score's tests use assertAlmostEqual places=5), or fewer where 'places' says.
            double tolerance = c.TryGetProperty("places", out var places) ? Math.Pow(10, -places.GetInt32()) : 1e-5;
            var score = Pick(new RougeMetric(stem).Score(target, prediction), c.GetProperty("type").GetString()!);
            Assert.Equal(c.GetProperty("precision").GetDouble(), score.Precision, tolerance);
            Assert.Equal(c.GetProperty("recall").GetDouble(), score.Recall, tolerance);
            Assert.Equal(c.GetProperty("fmeasure").GetDouble(), score.F1, tolerance);
            n++;
        }

        Assert.Equal(15, n);
    }

    [Fact]
    public void Tokenizer_drops_non_ascii_and_stems_only_long_tokens()
    {
        Assert.Equal(["caf", "s", "na", "ve", "2024"], new RougeMetric().Tokenize("Café's NAÏVE-2024"));
        Assert.Equal(["the", "run", "cat", "were", "happi", "gener"], new RougeMetric(useStemmer: true).Tokenize("The running cats were happy, generously!"));
    }

    [Fact]
    public void Stemming_changes_matches_as_rouge_score_does()
    {
        // 'cats'/'cat' only match when stemmed; 'was' (3 letters) is never stemmed.
        var plain = new RougeMetric().Score("the cats ran", "the cat ran");
        var stemmed = new RougeMetric(useStemmer: true).Score("the cats ran", "the cat ran");
        Assert.Equal(2.0 / 3, plain.Rouge1.F1, 12);
        Assert.Equal(1.0, stemmed.Rouge1.F1, 12);
        Assert.Equal(1.0, stemmed.RougeL.F1, 12);
    }

    [Fact]
    public void Score_multi_keeps_the_best_target_per_type()
    {
        var s = new RougeMetric().ScoreMulti(["completely different words", "the quick brown fox"], "the quick brown dog");
        Assert.Equal(0.75, s.Rouge1.F1, 12);
        Assert.Equal(2.0 / 3, s.Rouge2.F1, 12);
    }
}
