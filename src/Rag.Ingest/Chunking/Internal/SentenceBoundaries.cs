namespace Rag.Ingest.Chunking.Internal;

/// <summary>
/// Rule-based sentence boundaries: a terminator (. ! ? or …), optional closing quotes or brackets, whitespace, then a
/// character that can open a sentence (not a lower-case letter). Common abbreviations and single-letter initials do not
/// end sentences. A blank line always does.
/// </summary>
internal static class SentenceBoundaries
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "e.g", "i.e", "etc", "vs", "cf", "al", "fig", "figs", "eq", "eqs", "no", "nos", "vol", "pp", "p", "approx", "ca",
        "dr", "mr", "mrs", "ms", "prof", "sr", "jr", "st", "inc", "ltd", "co", "corp", "resp", "ref", "refs", "sec", "ch",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k",
    };

    /// <summary>Start positions of sentences after the first one, within [start, end).</summary>
    public static List<int> Starts(string text, int start, int end)
    {
        var starts = new List<int>();
        int i = start;
        while (i < end)
        {
            char c = text[i];
            if (c == '\n' && i + 1 < end && text[i + 1] == '\n')
            {
                int j = SkipSpace(text, i, end);
                if (j < end && j > start)
                {
                    starts.Add(j);
                }

                i = Math.Max(j, i + 1);
                continue;
            }

            if (c is '.' or '!' or '?' or '…')
            {
                int j = i + 1;
                while (j < end && text[j] is '.' or '!' or '?' or '"' or '\'' or ')' or ']' or '”' or '’' or '»')
                {
                    j++;
                }

                if (j < end && char.IsWhiteSpace(text[j]))
                {
                    int k = SkipSpace(text, j, end);
                    if (k < end && !char.IsLower(text[k]) && !(c == '.' && IsAbbreviation(text, start, i)))
                    {
                        starts.Add(k);
                        i = k;
                        continue;
                    }
                }

                i = j;
                continue;
            }

            i++;
        }

        return starts;
    }

    private static int SkipSpace(string text, int i, int end)
    {
        while (i < end && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    private static bool IsAbbreviation(string text, int start, int dot)
    {
        int w = dot;
        while (w > start && !char.IsWhiteSpace(text[w - 1]) && text[w - 1] is not ('(' or '[' or '"'))
        {
            w--;
        }

        var word = text.AsSpan(w, dot - w);
        if (word.Length == 1 && char.IsLetter(word[0]))
        {
            return true; // an initial such as "J. Smith"
        }

        return word.Length > 0 && Abbreviations.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);
    }
}
