namespace Rag.Core.Evaluation.Internal;

/// <summary>
/// The Porter stemmer in NLTK's default <c>NLTK_EXTENSIONS</c> mode, which is what rouge-score's
/// <c>use_stemmer=True</c> calls (<c>nltk.stem.porter.PorterStemmer()</c>). It differs from Porter's 1980 paper and
/// from Martin Porter's own "frozen" version in a few rules (an irregular-forms table, <c>ies</c>/<c>ied</c> on
/// four-letter words, <c>bli</c>, <c>alli</c>, <c>fulli</c>, <c>logi</c>, and the y-to-i condition), all reproduced here
/// so that stemmed ROUGE equals rouge-score's. Input is expected in lower case, as rouge-score gives it.
/// </summary>
internal static class PorterStemmer
{
    private static readonly Dictionary<string, string> IrregularForms = new(StringComparer.Ordinal)
    {
        ["sky"] = "sky", ["skies"] = "sky", ["dying"] = "die", ["lying"] = "lie", ["tying"] = "tie", ["news"] = "news",
        ["innings"] = "inning", ["inning"] = "inning", ["outings"] = "outing", ["outing"] = "outing",
        ["cannings"] = "canning", ["canning"] = "canning", ["howe"] = "howe", ["proceed"] = "proceed",
        ["exceed"] = "exceed", ["succeed"] = "succeed",
    };

    private static readonly (string Suffix, string Replacement)[] Step2Rules =
    [
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"), ("bli", "ble"),
        ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"),
        ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"),
        ("iviti", "ive"), ("biliti", "ble"), ("fulli", "ful"),
    ];

    private static readonly (string Suffix, string Replacement)[] Step3Rules =
    [
        ("icate", "ic"), ("ative", string.Empty), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", string.Empty), ("ness", string.Empty),
    ];

    private static readonly string[] Step4Suffixes =
        ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize"];

    /// <summary>Stems one lower-case word.</summary>
    public static string Stem(string word)
    {
        if (IrregularForms.TryGetValue(word, out var irregular))
        {
            return irregular;
        }

        if (word.Length <= 2)
        {
            return word;
        }

        var stem = Step1a(word);
        stem = Step1b(stem);
        stem = Step1c(stem);
        stem = Step2(stem);
        stem = Step3(stem);
        stem = Step4(stem);
        stem = Step5a(stem);
        return Step5b(stem);
    }

    private static bool IsConsonant(string word, int i)
    {
        char c = word[i];
        if (c is 'a' or 'e' or 'i' or 'o' or 'u')
        {
            return false;
        }

        // 'y' is a consonant at the start or after a vowel, a vowel after a consonant.
        return c != 'y' || i == 0 || !IsConsonant(word, i - 1);
    }

    // m in [C](VC){m}[V]: the number of vowel-to-consonant transitions.
    private static int Measure(string stem)
    {
        int m = 0;
        for (int i = 1; i < stem.Length; i++)
        {
            if (!IsConsonant(stem, i - 1) && IsConsonant(stem, i))
            {
                m++;
            }
        }

        return m;
    }

    private static bool ContainsVowel(string stem)
    {
        for (int i = 0; i < stem.Length; i++)
        {
            if (!IsConsonant(stem, i))
            {
                return true;
            }
        }

        return false;
    }

    private static bool EndsDoubleConsonant(string word) =>
        word.Length >= 2 && word[^1] == word[^2] && IsConsonant(word, word.Length - 1);

    // *o: consonant-vowel-consonant, the last not w, x or y; NLTK also accepts a two-letter vowel-consonant word.
    private static bool EndsCvc(string word) =>
        (word.Length >= 3 && IsConsonant(word, word.Length - 3) && !IsConsonant(word, word.Length - 2)
            && IsConsonant(word, word.Length - 1) && word[^1] is not ('w' or 'x' or 'y'))
        || (word.Length == 2 && !IsConsonant(word, 0) && IsConsonant(word, 1));

    private static string Step1a(string word)
    {
        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length == 4)
        {
            return word[..^3] + "ie";
        }

        if (word.EndsWith("sses", StringComparison.Ordinal))
        {
            return word[..^2];
        }

        if (word.EndsWith("ies", StringComparison.Ordinal))
        {
            return word[..^2];
        }

        if (word.EndsWith("ss", StringComparison.Ordinal))
        {
            return word;
        }

        return word.EndsWith('s') ? word[..^1] : word;
    }

    private static string Step1b(string word)
    {
        if (word.EndsWith("ied", StringComparison.Ordinal))
        {
            return word.Length == 4 ? word[..^3] + "ie" : word[..^3] + "i";
        }

        if (word.EndsWith("eed", StringComparison.Ordinal))
        {
            var s = word[..^3];
            return Measure(s) > 0 ? s + "ee" : word;
        }

        string? stem = null;
        foreach (var suffix in (ReadOnlySpan<string>)["ed", "ing"])
        {
            if (word.EndsWith(suffix, StringComparison.Ordinal) && ContainsVowel(word[..^suffix.Length]))
            {
                stem = word[..^suffix.Length];
                break;
            }
        }

        if (stem is null)
        {
            return word;
        }

        if (stem.EndsWith("at", StringComparison.Ordinal) || stem.EndsWith("bl", StringComparison.Ordinal) || stem.EndsWith("iz", StringComparison.Ordinal))
        {
            return stem + "e";
        }

        if (EndsDoubleConsonant(stem))
        {
            return stem[^1] is 'l' or 's' or 'z' ? stem : stem[..^1];
        }

        return Measure(stem) == 1 && EndsCvc(stem) ? stem + "e" : stem;
    }

    // NLTK: y becomes i only after a consonant that is not the whole stem ('happy' -> 'happi', 'enjoy', 'by' unchanged).
    private static string Step1c(string word) =>
        word.EndsWith('y') && word.Length > 2 && IsConsonant(word, word.Length - 2) ? word[..^1] + "i" : word;

    private static string Step2(string word)
    {
        if (word.EndsWith("alli", StringComparison.Ordinal) && Measure(word[..^4]) > 0)
        {
            return Step2(word[..^4] + "al");
        }

        foreach (var (suffix, replacement) in Step2Rules)
        {
            if (word.EndsWith(suffix, StringComparison.Ordinal))
            {
                return Measure(word[..^suffix.Length]) > 0 ? word[..^suffix.Length] + replacement : word;
            }
        }

        // NLTK's 'logi' rule tests the measure of the word less three letters, not less the suffix.
        if (word.EndsWith("logi", StringComparison.Ordinal))
        {
            return Measure(word[..^3]) > 0 ? word[..^4] + "log" : word;
        }

        return word;
    }

    private static string Step3(string word)
    {
        foreach (var (suffix, replacement) in Step3Rules)
        {
            if (word.EndsWith(suffix, StringComparison.Ordinal))
            {
                return Measure(word[..^suffix.Length]) > 0 ? word[..^suffix.Length] + replacement : word;
            }
        }

        return word;
    }

    private static string Step4(string word)
    {
        foreach (var suffix in Step4Suffixes)
        {
            if (word.EndsWith(suffix, StringComparison.Ordinal))
            {
                var stem = word[..^suffix.Length];
                bool ok = Measure(stem) > 1 && (suffix != "ion" || (stem.Length > 0 && stem[^1] is 's' or 't'));
                return ok ? stem : word;
            }
        }

        return word;
    }

    private static string Step5a(string word)
    {
        if (!word.EndsWith('e'))
        {
            return word;
        }

        var stem = word[..^1];
        int m = Measure(stem);
        return m > 1 || (m == 1 && !EndsCvc(stem)) ? stem : word;
    }

    private static string Step5b(string word) =>
        word.EndsWith("ll", StringComparison.Ordinal) && Measure(word[..^1]) > 1 ? word[..^1] : word;
}
