using Rag.Core.Documents;
namespace Rag.Ingest.Chunking.Internal;

/// <summary>Separator levels from coarsest to finest.</summary>
internal enum SplitLevel
{
    Paragraph = 0,
    Line = 1,
    Sentence = 2,
    Word = 3,
    Character = 4,
}

/// <summary>A chunk span [Start, End) of the document text.</summary>
internal readonly record struct TextSpan(int Start, int End)
{
    public int Length => End - Start;
}

/// <summary>
/// The engine behind every chunker. It works on offsets into the document text, never on copies, so each chunk is an
/// exact span. Two phases: (1) cut the segment into pieces that each fit the token limit, using the coarsest separator
/// that works (recursing to finer ones only for parts still too large); (2) pack consecutive pieces greedily up to the
/// limit, starting each chunk with an overlap taken from the end of the previous chunk at a word (or sentence) start.
/// </summary>
internal sealed class SpanSplitter(ITokenCounter counter, int maxTokens, int overlapTokens, SplitLevel firstLevel, bool sentenceOverlap)
{
    private readonly record struct Piece(int Start, int End, int Tokens);

    public List<TextSpan> Split(string text, int start, int end)
    {
        var pieces = new List<Piece>();
        AddPieces(text, start, end, firstLevel, pieces);
        return Pack(text, pieces);
    }

    private void AddPieces(string text, int start, int end, SplitLevel level, List<Piece> pieces)
    {
        (start, end) = Trim(text, start, end);
        if (start >= end)
        {
            return;
        }

        int tokens = counter.CountTokens(text.AsSpan(start, end - start));
        if (tokens <= maxTokens)
        {
            pieces.Add(new Piece(start, end, tokens));
            return;
        }

        if (level == SplitLevel.Character)
        {
            HardSplit(text, start, end, pieces);
            return;
        }

        var cuts = Cuts(text, start, end, level);
        if (cuts.Count == 0)
        {
            AddPieces(text, start, end, level + 1, pieces);
            return;
        }

        int s = start;
        foreach (int cut in cuts)
        {
            AddPieces(text, s, cut, level + 1, pieces);
            s = cut;
        }

        AddPieces(text, s, end, level + 1, pieces);
    }

    private void HardSplit(string text, int start, int end, List<Piece> pieces)
    {
        int s = start;
        while (s < end)
        {
            // Longest prefix that fits, by binary search on its length.
            int lo = 1, hi = end - s, best = 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) / 2;
                if (counter.CountTokens(text.AsSpan(s, mid)) <= maxTokens)
                {
                    best = mid;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            int e = s + best;
            if (e < end && char.IsHighSurrogate(text[e - 1]))
            {
                e = e - 1 > s ? e - 1 : e + 1;
            }

            pieces.Add(new Piece(s, e, counter.CountTokens(text.AsSpan(s, e - s))));
            s = e;
        }
    }

    private static List<int> Cuts(string text, int start, int end, SplitLevel level)
    {
        var cuts = new List<int>();
        switch (level)
        {
            case SplitLevel.Paragraph:
            case SplitLevel.Line:
                bool paragraph = level == SplitLevel.Paragraph;
                for (int i = start; i < end; i++)
                {
                    if (text[i] != '\n')
                    {
                        continue;
                    }

                    if (paragraph && !(i + 1 < end && text[i + 1] == '\n'))
                    {
                        continue;
                    }

                    int j = i;
                    while (j < end && char.IsWhiteSpace(text[j]))
                    {
                        j++;
                    }

                    if (j < end && i > start)
                    {
                        cuts.Add(j);
                    }

                    i = j;
                }

                break;
            case SplitLevel.Sentence:
                cuts = SentenceBoundaries.Starts(text, start, end);
                break;
            case SplitLevel.Word:
                for (int i = start + 1; i < end; i++)
                {
                    if (!char.IsWhiteSpace(text[i]) && char.IsWhiteSpace(text[i - 1]))
                    {
                        cuts.Add(i);
                    }
                }

                break;
        }

        return cuts;
    }

    private List<TextSpan> Pack(string text, List<Piece> pieces)
    {
        var chunks = new List<TextSpan>();
        int i = 0;
        int carryStart = -1, carryTokens = 0;
        while (i < pieces.Count)
        {
            int start = carryStart >= 0 ? carryStart : pieces[i].Start;
            int tokens = carryStart >= 0 ? carryTokens : -1;
            int j = i;
            while (j < pieces.Count)
            {
                // +1: the separator between two pieces is usually one token of its own.
                int next = tokens < 0 ? pieces[j].Tokens : tokens + 1 + pieces[j].Tokens;
                if (next > maxTokens)
                {
                    break;
                }

                tokens = next;
                j++;
            }

            if (j == i)
            {
                // The overlap leaves no room for the next piece: drop it for this boundary.
                carryStart = -1;
                continue;
            }

            // The estimate is a sum; BPE merges across the joins can differ, so check the real count and shed pieces.
            int end = pieces[j - 1].End;
            int actual = counter.CountTokens(text.AsSpan(start, end - start));
            while (actual > maxTokens && j > i + 1)
            {
                j--;
                end = pieces[j - 1].End;
                actual = counter.CountTokens(text.AsSpan(start, end - start));
            }

            if (actual > maxTokens && carryStart >= 0)
            {
                carryStart = -1;
                continue;
            }

            chunks.Add(new TextSpan(start, end));
            i = j;
            if (overlapTokens > 0 && i < pieces.Count)
            {
                (carryStart, carryTokens) = Overlap(text, start, end);
            }
            else
            {
                carryStart = -1;
            }
        }

        return chunks;
    }

    /// <summary>The earliest word (or sentence) start in (start, end) whose suffix fits the overlap budget; -1 if none.</summary>
    private (int Start, int Tokens) Overlap(string text, int start, int end)
    {
        List<int> candidates;
        if (sentenceOverlap)
        {
            candidates = SentenceBoundaries.Starts(text, start, end);
        }
        else
        {
            // Every word is at least one token, so only the last overlapTokens word starts can fit.
            candidates = [];
            for (int p = end - 1; p > start && candidates.Count < overlapTokens; p--)
            {
                if (!char.IsWhiteSpace(text[p]) && char.IsWhiteSpace(text[p - 1]))
                {
                    candidates.Add(p);
                }
            }

            candidates.Reverse();
        }

        // Suffix token counts fall as the start moves right: binary search the first candidate that fits.
        int lo = 0, hi = candidates.Count - 1, best = -1, bestTokens = 0;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            int t = counter.CountTokens(text.AsSpan(candidates[mid], end - candidates[mid]));
            if (t <= overlapTokens)
            {
                best = candidates[mid];
                bestTokens = t;
                hi = mid - 1;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return (best, bestTokens);
    }

    private static (int Start, int End) Trim(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return (start, end);
    }
}
