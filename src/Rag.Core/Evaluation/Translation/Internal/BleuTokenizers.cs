using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Rag.Core.Evaluation.Internal;

namespace Rag.Core.Evaluation.Translation.Internal;

/// <summary>sacreBLEU's tokenizers <c>13a</c>, <c>intl</c> and <c>none</c>, reproduced rule for rule.</summary>
internal static partial class BleuTokenizers
{
    public static string Tokenize(string line, BleuTokenizer tokenizer) => tokenizer switch
    {
        BleuTokenizer.Mteval13a => Mteval13a(line),
        BleuTokenizer.International => International(line),
        _ => line,
    };

    /// <summary>mteval-v13a.pl: the language-independent part, then the western-language punctuation rules.</summary>
    public static string Mteval13a(string line)
    {
        line = line.Replace("<skipped>", string.Empty, StringComparison.Ordinal)
            .Replace("-\n", string.Empty, StringComparison.Ordinal)
            .Replace('\n', ' ');
        if (line.Contains('&', StringComparison.Ordinal))
        {
            line = line.Replace("&quot;", "\"", StringComparison.Ordinal)
                .Replace("&amp;", "&", StringComparison.Ordinal)
                .Replace("&lt;", "<", StringComparison.Ordinal)
                .Replace("&gt;", ">", StringComparison.Ordinal);
        }

        line = " " + line + " ";
        line = Symbols().Replace(line, " $1 ");
        line = PeriodCommaAfterNonDigit().Replace(line, "$1 $2 ");
        line = PeriodCommaBeforeNonDigit().Replace(line, " $1 $2");
        line = DashAfterDigit().Replace(line, "$1 $2 ");
        return PythonText.CollapseWhiteSpace(line);
    }

    /// <summary>
    /// mteval-v14.pl international tokenization: punctuation split off unless between digits, symbols always split.
    /// Applied over code points (not UTF-16 units), as Python's <c>regex</c> module does, so that characters outside
    /// the Basic Multilingual Plane are classified correctly.
    /// </summary>
    public static string International(string line)
    {
        var cps = ToCodePoints(line);
        // (\P{N})(\p{P}) -> "\1 \2 "
        cps = RewritePairs(cps, static (a, b) => !IsNumber(a) && IsPunctuation(b), static (sb, a, b) => sb.Append(a).Append(' ').Append(b).Append(' '));
        // (\p{P})(\P{N}) -> " \1 \2"
        cps = RewritePairs(cps, static (a, b) => IsPunctuation(a) && !IsNumber(b), static (sb, a, b) => sb.Append(' ').Append(a).Append(' ').Append(b));
        // (\p{S}) -> " \1 "
        var sb = new StringBuilder(cps.Count * 2);
        foreach (var r in cps)
        {
            if (IsSymbol(r))
            {
                sb.Append(' ').Append(r).Append(' ');
            }
            else
            {
                sb.Append(r);
            }
        }

        return PythonText.CollapseWhiteSpace(sb.ToString());
    }

    private static List<Rune> ToCodePoints(string s)
    {
        var list = new List<Rune>(s.Length);
        foreach (var r in s.EnumerateRunes())
        {
            list.Add(r);
        }

        return list;
    }

    // A fixed two-character pattern is matched left to right without overlap, exactly as re.sub does.
    private static List<Rune> RewritePairs(List<Rune> cps, Func<Rune, Rune, bool> match, Action<StringBuilder, Rune, Rune> emit)
    {
        var sb = new StringBuilder(cps.Count * 2);
        int i = 0;
        while (i < cps.Count)
        {
            if (i + 1 < cps.Count && match(cps[i], cps[i + 1]))
            {
                emit(sb, cps[i], cps[i + 1]);
                i += 2;
            }
            else
            {
                sb.Append(cps[i]);
                i++;
            }
        }

        return ToCodePoints(sb.ToString());
    }

    private static bool IsNumber(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    private static bool IsPunctuation(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
        or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
        or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    private static bool IsSymbol(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol
        or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol;

    // [{-~[-` -&(-+:-@/]: ASCII symbols and punctuation other than period, comma, apostrophe and dash.
    [GeneratedRegex(@"([\{-\~\[-\` -\&\(-\+\:-\@\/])", RegexOptions.CultureInvariant)]
    private static partial Regex Symbols();

    [GeneratedRegex(@"([^0-9])([\.,])", RegexOptions.CultureInvariant)]
    private static partial Regex PeriodCommaAfterNonDigit();

    [GeneratedRegex(@"([\.,])([^0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex PeriodCommaBeforeNonDigit();

    [GeneratedRegex(@"([0-9])(-)", RegexOptions.CultureInvariant)]
    private static partial Regex DashAfterDigit();
}
