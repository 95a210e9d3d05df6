namespace Rag.Tools.Synthetic.Internal;

/// <summary>Built-in word list for synthetic WordPiece vocabularies: frequent English words and words frequent in biomedical abstracts.</summary>
internal static class EnglishWords
{
    public static readonly string[] Suffixes =
    [
        "s", "es", "ed", "ing", "ly", "er", "ers", "est", "ion", "ions", "tion", "tions", "ation", "ment", "ments", "ness", "al",
        "ally", "ity", "ive", "ous", "ful", "less", "able", "ible", "ic", "ical", "ism", "ist", "ize", "ized", "y",
    ];

    public static readonly string[] Common =
    [
        "the", "of", "and", "to", "in", "is", "was", "for", "that", "with", "as", "on", "by", "at", "from", "it", "an", "be",
        "this", "which", "or", "are", "were", "has", "have", "had", "not", "but", "all", "can", "more", "one", "also", "their",
        "there", "been", "its", "other", "new", "than", "into", "only", "some", "time", "may", "such", "these", "first", "two",
        "after", "most", "used", "use", "using", "when", "between", "over", "about", "would", "should", "could", "will", "each",
        "many", "both", "through", "during", "while", "however", "then", "them", "they", "we", "our", "he", "she", "his", "her",
        "you", "your", "who", "what", "where", "how", "why", "study", "studies", "results", "result", "data", "patients",
        "patient", "cells", "cell", "cancer", "protein", "proteins", "gene", "genes", "expression", "effect", "effects",
        "treatment", "risk", "disease", "clinical", "human", "increased", "increase", "associated", "higher", "lower", "level",
        "levels", "activity", "model", "analysis", "role", "function", "response", "significant", "significantly", "show",
        "showed", "shows", "found", "observed", "compared", "control", "group", "groups", "high", "low", "age", "women", "men",
        "children", "mice", "mouse", "tumor", "tumors", "dna", "rna", "virus", "viral", "infection", "immune", "blood", "brain",
        "heart", "lung", "liver", "kidney", "bone", "muscle", "tissue", "tissues", "growth", "factor", "factors", "receptor",
        "receptors", "signaling", "pathway", "pathways", "mechanism", "mechanisms", "induced", "inhibition", "inhibitor",
        "inhibitors", "therapy", "drug", "drugs", "dose", "trial", "trials", "evidence", "population", "health", "mortality",
        "survival", "rate", "rates", "years", "year", "months", "weeks", "days", "per", "percent", "type", "types", "specific",
        "different", "similar", "important", "potential", "present", "previous", "known", "large", "small", "long", "short",
        "early", "late", "normal", "acute", "chronic", "severe", "primary", "secondary", "major", "minor", "positive",
        "negative", "direct", "indirect", "total", "mean", "median", "water", "air", "light", "energy", "heat", "space", "world",
        "life", "people", "country", "city", "state", "school", "work", "home", "family", "day", "night", "house", "car", "road",
        "book", "food", "money", "music", "game", "team", "player", "story", "child", "man", "woman", "friend", "question",
        "answer", "problem", "system", "process", "method", "methods", "approach", "based", "test", "tests", "tested", "testing",
        "measure", "measured", "measurement", "sample", "samples", "reduced", "reduce", "reduces", "decrease", "decreased",
        "decreases", "enhanced", "enhance", "promote", "promotes", "required", "require", "requires", "within", "without",
        "among", "against", "across", "under", "above", "below", "before", "again", "still", "even", "just", "very", "much",
        "well", "good", "better", "best", "bad", "great", "little", "big", "old", "young", "right", "left", "true", "false",
        "same", "own", "part", "place", "case", "point", "number", "make", "made", "makes", "take", "took", "give", "gave",
        "get", "got", "see", "saw", "know", "knew", "think", "thought", "say", "said", "go", "went", "come", "came", "find",
        "look", "want", "need", "feel", "become", "leave", "put", "keep", "let", "begin", "seem", "help", "talk", "turn",
        "start", "hear", "play", "run", "move", "live", "believe", "hold", "bring", "happen", "write", "provide", "sit", "stand",
        "lose", "pay", "meet", "include", "continue", "set", "learn", "change", "lead", "understand", "watch", "follow", "stop",
        "create", "speak", "read", "allow", "add", "spend", "grow", "open", "walk", "win", "offer", "remember", "love",
        "consider", "appear", "buy", "wait", "serve", "die", "send", "expect", "build", "stay", "fall", "cut", "reach", "kill",
        "remain", "suggest", "raise", "pass", "sell", "decide", "return", "explain", "hope", "develop", "carry", "break",
        "receive", "agree", "support", "hit", "produce", "eat", "cover", "catch", "draw", "choose", "cause",
    ];
}
