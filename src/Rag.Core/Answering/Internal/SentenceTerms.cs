using Lucene.Net.Analysis.En;
using Rag.Core.Evaluation.Internal;
using Rag.Core.Evaluation.Summarization;

namespace Rag.Core.Answering.Internal;

/// <summary>
/// Terms for sentence-level matching: lower-cased ASCII word runs (ROUGE tokenization), English stop words dropped,
/// Porter-stemmed when longer than three letters.
/// </summary>
internal static class SentenceTerms
{
    public static List<string> Of(string text) =>
        RougeMetric.TokenizeText(text, stem: false)
            .Where(t => !EnglishAnalyzer.DefaultStopSet.Contains(t))
            .Select(t => t.Length > 3 ? PorterStemmer.Stem(t) : t)
            .ToList();
}

/// <summary>Okapi BM25 over a small in-memory collection (the candidate sentences of one question).</summary>
internal sealed class SentenceBm25
{
    private readonly List<Dictionary<string, int>> _docs;
    private readonly int[] _lengths;
    private readonly Dictionary<string, int> _df = new(StringComparer.Ordinal);
    private readonly double _avgLength;
    private readonly double _k1;
    private readonly double _b;

    public SentenceBm25(IReadOnlyList<List<string>> documents, double k1 = 1.2, double b = 0.75)
    {
        _k1 = k1;
        _b = b;
        _docs = new List<Dictionary<string, int>>(documents.Count);
        _lengths = new int[documents.Count];
        for (int i = 0; i < documents.Count; i++)
        {
            var tf = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var t in documents[i])
            {
                tf[t] = tf.GetValueOrDefault(t) + 1;
            }

            foreach (var t in tf.Keys)
            {
                _df[t] = _df.GetValueOrDefault(t) + 1;
            }

            _docs.Add(tf);
            _lengths[i] = documents[i].Count;
        }

        _avgLength = documents.Count == 0 ? 0 : Math.Max(1e-9, _lengths.Average());
    }

    public double Score(IReadOnlyCollection<string> query, int document)
    {
        var tf = _docs[document];
        double score = 0;
        int n = _docs.Count;
        foreach (var term in query.Distinct(StringComparer.Ordinal))
        {
            if (!tf.TryGetValue(term, out var f))
            {
                continue;
            }

            int df = _df[term];
            double idf = Math.Log(1 + ((n - df + 0.5) / (df + 0.5)));
            score += idf * f * (_k1 + 1) / (f + (_k1 * (1 - _b + (_b * _lengths[document] / _avgLength))));
        }

        return score;
    }
}
