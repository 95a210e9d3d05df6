using System.Text.Json;
using Rag.Core.Evaluation.Translation;

namespace Rag.Core.Tests.Evaluation;

public class TranslationMetricsTests
{
    private static readonly string[] DogHyps = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
    private static readonly string[][] DogRefs =
    [
        ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
        ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
    ];

    private static JsonElement Expected() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedFiles.Directory, "data", "metric_reference", "sacrebleu", "expected.json"))).RootElement;

    private static IReadOnlyList<IReadOnlyList<string?>> Streams(JsonElement refs) =>
        refs.EnumerateArray().Select(s => (IReadOnlyList<string?>)s.EnumerateArray().Select(x => x.GetString()).ToList()).ToList();

    private static List<string> Strings(JsonElement e) => e.EnumerateArray().Select(x => x.GetString()!).ToList();

    [Fact]
    public void Corpus_bleu_equals_sacrebleu_reference_values()
    {
        int checkedCases = 0;
        foreach (var c in Expected().GetProperty("corpus_bleu").EnumerateArray())
        {
            var o = c.GetProperty("options");
            var options = new BleuOptions
            {
                Tokenizer = o.TryGetProperty("tokenize", out var t) ? t.GetString() switch
                {
                    "none" => BleuTokenizer.None,
                    "intl" => BleuTokenizer.International,
                    "13a" => BleuTokenizer.Mteval13a,
                    var x => throw new InvalidDataException(x),
                } : BleuTokenizer.Mteval13a,
                Smoothing = o.TryGetProperty("smooth_method", out var sm) && sm.GetString() == "none" ? BleuSmoothing.None : BleuSmoothing.Exponential,
            };
            var score = new BleuMetric(options).CorpusScore(Strings(c.GetProperty("hyps")), Streams(c.GetProperty("refs")));
            Assert.Equal(c.GetProperty("score").GetDouble(), score.Score, 1e-4);
            checkedCases++;
        }

        Assert.Equal(6, checkedCases);
    }

    [Theory]
    [InlineData(BleuTokenizer.Mteval13a, 48.530827)]
    [InlineData(BleuTokenizer.None, 49.1919566)]
    [InlineData(BleuTokenizer.International, 43.91623493)]
    public void Readme_example_matches_each_tokenizer_to_1e6(BleuTokenizer tokenizer, double expected)
    {
        var score = new BleuMetric(new BleuOptions { Tokenizer = tokenizer })
            .CorpusScore(DogHyps, DogRefs.Select(r => (IReadOnlyList<string?>)r).ToList());
        Assert.Equal(expected, score.Score, 1e-6);
    }

    [Fact]
    public void Raw_and_effective_order_bleu_equal_sacrebleu()
    {
        var root = Expected();
        foreach (var c in root.GetProperty("raw_bleu_0_1").EnumerateArray())
        {
            var s = new BleuMetric(BleuOptions.Raw).CorpusScore(Strings(c.GetProperty("hyps")), Streams(c.GetProperty("refs")));
            Assert.Equal(c.GetProperty("score").GetDouble(), s.Score / 100, 1e-8);
        }

        foreach (var c in root.GetProperty("effective_order_sentence_0_1").EnumerateArray())
        {
            var s = new BleuMetric(BleuOptions.Raw).SentenceScore(c.GetProperty("hyp").GetString()!, [c.GetProperty("ref").GetString()!]);
            Assert.Equal(c.GetProperty("score").GetDouble(), s.Score / 100, 1e-8);
        }
    }

    [Fact]
    public void Bleu_from_statistics_and_ngram_statistics_equal_sacrebleu()
    {
        var root = Expected();
        var st = root.GetProperty("score_from_stats");
        var fromStats = BleuMetric.ComputeFromStatistics(
            st.GetProperty("correct").EnumerateArray().Select(x => x.GetInt64()).ToList(),
            st.GetProperty("total").EnumerateArray().Select(x => x.GetInt64()).ToList(),
            st.GetProperty("sys_len").GetInt64(), st.GetProperty("ref_len").GetInt64());
        Assert.Equal(st.GetProperty("bleu_0_1").GetDouble(), fromStats.Score / 100, 1e-8);

        var ng = root.GetProperty("ngram_statistics");
        var hyp = ng.GetProperty("hyp").GetString()!;
        var reference = ng.GetProperty("ref").GetString()!;
        var floor01 = new BleuMetric(BleuOptions.Raw with { SmoothingValue = 0.1, EffectiveOrder = false }).SentenceScore(hyp, [reference]);
        Assert.Equal(ng.GetProperty("correct").EnumerateArray().Select(x => x.GetInt64()), floor01.Matches);
        Assert.Equal(ng.GetProperty("total").EnumerateArray().Select(x => x.GetInt64()), floor01.Totals);
        Assert.Equal(ng.GetProperty("bleu_0_1_floor_smoothing_0.1").GetDouble(), floor01.Score / 100, 1e-8);
        var floor0 = new BleuMetric(BleuOptions.Raw with { SmoothingValue = 0.0, EffectiveOrder = false }).SentenceScore(hyp, [reference]);
        Assert.Equal(ng.GetProperty("bleu_0_1_floor_smoothing_0.0").GetDouble(), floor0.Score / 100, 1e-8);
    }

    [Fact]
    public void Brevity_penalty_and_add_k_smoothing_follow_the_formulas()
    {
        // 13a: "the cat" (2 tokens) vs "the cat sat on the mat" (6): BP = exp(1 - 6/2).
        var s = new BleuMetric(new BleuOptions { Smoothing = BleuSmoothing.AddK }).SentenceScore("the cat", ["the cat sat on the mat"]);
        Assert.Equal(Math.Exp(-2), s.BrevityPenalty, 12);
        // add-k (k=1): p1 = 2/2, p2 = (1+1)/(1+1), p3 = (0+1)/(0+1), p4 = (0+1)/(0+1) -> geometric mean 100.
        Assert.Equal(100 * Math.Exp(-2), s.Score, 9);
        Assert.Equal(2, s.HypothesisLength);
        Assert.Equal(6, s.ReferenceLength);
    }

    [Fact]
    public void Tokenizers_split_as_mteval_does()
    {
        // 13a keeps "wasn't", "3.5" and "km-long" whole and splits the final period: It | wasn't | 3.5 | km-long | .
        var t = new BleuMetric(new BleuOptions { MaxNgramOrder = 1 });
        Assert.Equal(5, t.SentenceScore("It wasn't 3.5 km-long.", ["x"]).HypothesisLength);
        // ... and splits a dash after a digit and every ASCII symbol: 1990 | - | 95 | ( | ok | )
        Assert.Equal(6, t.SentenceScore("1990-95 (ok)", ["x"]).HypothesisLength);
        // intl splits Unicode punctuation and symbols: "€5 «ok»" -> € 5 « ok »
        var intl = new BleuMetric(new BleuOptions { Tokenizer = BleuTokenizer.International, MaxNgramOrder = 1 });
        Assert.Equal(5, intl.SentenceScore("€5 «ok»", ["x"]).HypothesisLength);
        // An emoji (a symbol outside the BMP) is split off as one token, not two halves.
        Assert.Equal(2, intl.SentenceScore("hi😀", ["x"]).HypothesisLength);
    }

    [Fact]
    public void Mismatched_streams_and_missing_references_fail_clearly()
    {
        var bleu = new BleuMetric();
        var e = Assert.Throws<ArgumentException>(() => bleu.CorpusScore(["a", "b"], [new List<string?> { "a" }]));
        Assert.Contains("one reference per hypothesis", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => bleu.CorpusScore(["a"], [new List<string?> { null }]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BleuMetric(new BleuOptions { MaxNgramOrder = 0 }));
    }

    // sacreBLEU test/test_chrf.py: corpus chrF with char_order 6, word_order 0, beta 3, eps smoothing; tolerance 1e-4.
    [Theory]
    [InlineData("abcdefg", "hijklmnop", 0.0)]
    [InlineData("a", "b", 0.0)]
    [InlineData("", "b", 0.0)]
    [InlineData("", "ref", 0.0)]
    [InlineData("", "reference", 0.0)]
    [InlineData("aa", "ab", 8.3333)]
    [InlineData("a", "a", 16.6667)]
    [InlineData("a b c", "a b c", 50.0)]
    [InlineData("a b c", "abc", 50.0)]
    [InlineData(" risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .",
        "risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .", 63.361730)]
    [InlineData(" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. ",
        "Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.", 64.1302698)]
    [InlineData("Niemand hat die Absicht, eine Mauer zu errichten", "Niemand hat die Absicht, eine Mauer zu errichten", 100.0)]
    public void Chrf_equals_sacrebleu_test_suite_with_epsilon_smoothing(string hyp, string reference, double expected)
    {
        var chrf = new ChrfMetric(new ChrfOptions { Beta = 3, EpsilonSmoothing = true });
        Assert.Equal(expected, chrf.CorpusScore([hyp], [new List<string?> { reference }]), 1e-4);
    }

    [Fact]
    public void Chrf_equals_sacrebleu_test_suite_for_effective_order_whitespace_two_segments_and_sentences()
    {
        var eps = new ChrfMetric(new ChrfOptions { Beta = 3, EpsilonSmoothing = true });
        Assert.Equal(8.3333, eps.CorpusScore(["a", "b"], [new List<string?> { "a", "c" }]), 1e-4);
        var eff = new ChrfMetric(new ChrfOptions { Beta = 3 });
        Assert.Equal(100.0, eff.CorpusScore(["a"], [new List<string?> { "a" }]), 1e-4);
        Assert.Equal(100.0, eff.CorpusScore(["a b c"], [new List<string?> { "abc" }]), 1e-4);
        Assert.Equal(0.0, eff.CorpusScore([""], [new List<string?> { "c" }]), 1e-4);
        Assert.Equal(50.0, eff.CorpusScore(["a", "b"], [new List<string?> { "a", "c" }]), 1e-4);
        Assert.Equal(25.0, eff.CorpusScore(["aa"], [new List<string?> { "ab" }]), 1e-4);
        var space = new ChrfMetric(new ChrfOptions { Beta = 3, IncludeWhitespace = true });
        Assert.Equal(67.3481606, space.CorpusScore(["Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich."],
            [new List<string?> { "Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich." }]), 1e-4);
        Assert.Equal(65.2414427, space.CorpusScore(
            ["risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists ."],
            [new List<string?> { "risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists ." }]), 1e-4);
        var sentence = new ChrfMetric(new ChrfOptions { EpsilonSmoothing = true });
        Assert.Equal(39.14078509, sentence.SentenceScore("Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.",
            ["Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře."]), 1e-4);
        Assert.Equal(31.22557079, sentence.SentenceScore("Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.",
            ["A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři."]), 1e-4);
        Assert.Equal(57.15704367, sentence.SentenceScore("Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.",
            ["Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli."]), 1e-4);
    }

    // sacreBLEU's README table for WMT17 en-de (newstest2017 online systems), printed to one decimal: BLEU and chrF2.
    [Fact]
    public void Wmt17_online_A_rounds_to_the_sacrebleu_readme_table() =>
        Wmt17_system_scores_round_to_the_sacrebleu_readme_table("newstest2017.online-A.0.en-de", 20.8, 52.0);

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("newstest2017.online-B.0.en-de", 26.7, 56.3)]
    [InlineData("newstest2017.online-F.0.en-de", 15.5, 49.3)]
    [InlineData("newstest2017.online-G.0.en-de", 18.2, 51.6)]
    public void Wmt17_system_scores_round_to_the_sacrebleu_readme_table(string system, double bleu, double chrf)
    {
        string dir = Path.Combine(SharedFiles.Directory, "data", "wmt17_en_de");
        var refs = ReadLinesKeepingBom(Path.Combine(dir, "newstest2017-ende-ref.de"));
        var hyps = ReadLinesKeepingBom(Path.Combine(dir, "systems", system));
        Assert.Equal(3004, hyps.Length);
        IReadOnlyList<IReadOnlyList<string?>> streams = [refs];
        Assert.Equal(bleu, Math.Round(new BleuMetric().CorpusScore(hyps, streams).Score, 1), 6);
        Assert.Equal(chrf, Math.Round(new ChrfMetric().CorpusScore(hyps, streams), 1), 6);
    }

    // sacreBLEU reads UTF-8 without stripping a byte-order mark (online-A starts with one); so do we here.
    private static string[] ReadLinesKeepingBom(string path)
    {
        using var reader = new StreamReader(path, new System.Text.UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return [.. lines];
    }
}
