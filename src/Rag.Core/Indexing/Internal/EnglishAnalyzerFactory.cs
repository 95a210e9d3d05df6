using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;

namespace Rag.Core.Indexing.Internal;

/// <summary>Builds the analysis chains of <see cref="EnglishAnalysis"/> and analyzes text to terms.</summary>
internal static class EnglishAnalyzerFactory
{
    internal const LuceneVersion Version = LuceneVersion.LUCENE_48;

    public static Analyzer Create(EnglishAnalysis analysis) => Analyzer.NewAnonymous((field, reader) =>
    {
        var source = new StandardTokenizer(Version, reader);
        TokenStream result = new StandardFilter(Version, source);
        if (analysis != EnglishAnalysis.None)
        {
            result = new EnglishPossessiveFilter(Version, result);
        }

        result = new LowerCaseFilter(Version, result);
        switch (analysis)
        {
            case EnglishAnalysis.Porter:
                result = new StopFilter(Version, result, EnglishAnalyzer.DefaultStopSet);
                result = new PorterStemFilter(result);
                break;
            case EnglishAnalysis.KStem:
                result = new StopFilter(Version, result, EnglishAnalyzer.DefaultStopSet);
                result = new KStemFilter(result);
                break;
        }

        return new TokenStreamComponents(source, result);
    });

    /// <summary>Runs <paramref name="text"/> through the analyzer and returns its terms in order.</summary>
    public static List<string> Terms(Analyzer analyzer, string field, string text)
    {
        var terms = new List<string>();
        using var stream = analyzer.GetTokenStream(field, text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            terms.Add(term.ToString());
        }

        stream.End();
        return terms;
    }
}
