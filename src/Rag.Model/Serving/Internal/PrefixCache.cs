using Rag.Model.Native.Interop;

namespace Rag.Model.Serving.Internal;

/// <summary>
/// Prompt prefixes whose KV cells are kept under spare sequence ids. A hit copies the entry's sequence onto the
/// request's sequence and trims it to the shared prefix (llama_memory_seq_cp + seq_rm); with a unified KV cache the
/// copy only tags the same cells with another sequence id. Entries are evicted least recently used first, so that
/// the tokens held never exceed the budget. Used only by the scheduler thread.
/// </summary>
internal sealed class PrefixCache
{
    private readonly List<Entry> _entries = [];
    private readonly Stack<int> _freeSequences = new();
    private readonly int _budget;
    private readonly int _minTokens;
    private long _clock;

    public PrefixCache(int firstSequence, int count, int tokenBudget, int minTokens)
    {
        for (var i = count - 1; i >= 0; i--)
        {
            _freeSequences.Push(firstSequence + i);
        }

        _budget = tokenBudget;
        _minTokens = minTokens;
    }

    public int Count => _entries.Count;

    public int Tokens { get; private set; }

    public int Budget => _budget;

    /// <summary>Finds the entry sharing the longest prefix with <paramref name="prompt"/> (same adapter set) and copies it onto <paramref name="sequence"/>.</summary>
    /// <returns>The number of prompt tokens now present in the sequence (0 on a miss).</returns>
    public int TryRestore(IntPtr mem, int[] prompt, string adapterKey, int sequence)
    {
        Entry? best = null;
        var bestLen = 0;
        foreach (var e in _entries)
        {
            if (e.AdapterKey != adapterKey)
            {
                continue;
            }

            var lcp = CommonPrefix(e.Tokens, prompt);
            if (lcp > bestLen)
            {
                best = e;
                bestLen = lcp;
            }
        }

        // At least one prompt token must still be decoded to produce logits for the first sample.
        bestLen = Math.Min(bestLen, prompt.Length - 1);
        if (best is null || bestLen < _minTokens)
        {
            return 0;
        }

        best.LastUse = ++_clock;
        LlamaNative.llama_memory_seq_rm(mem, sequence, -1, -1);
        LlamaNative.llama_memory_seq_cp(mem, best.Sequence, sequence, -1, -1);
        LlamaNative.llama_memory_seq_rm(mem, sequence, bestLen, -1);
        return bestLen;
    }

    /// <summary>Keeps (up to the budget) the prompt just prefilled in <paramref name="sourceSequence"/>.</summary>
    public void Store(IntPtr mem, int[] prompt, string adapterKey, int sourceSequence)
    {
        var length = Math.Min(prompt.Length, _budget);
        if (length < _minTokens)
        {
            return;
        }

        foreach (var e in _entries.ToArray())
        {
            if (e.AdapterKey != adapterKey)
            {
                continue;
            }

            var lcp = CommonPrefix(e.Tokens, prompt);
            if (lcp >= length)
            {
                // An entry already covers this prompt's prefix.
                e.LastUse = ++_clock;
                return;
            }

            if (lcp == e.Tokens.Length)
            {
                // The new prompt extends this entry: replace it.
                Remove(mem, e);
            }
        }

        while (_entries.Count > 0 && (_freeSequences.Count == 0 || Tokens + length > _budget))
        {
            var lru = _entries[0];
            foreach (var e in _entries)
            {
                if (e.LastUse < lru.LastUse)
                {
                    lru = e;
                }
            }

            Remove(mem, lru);
        }

        if (_freeSequences.Count == 0 || Tokens + length > _budget)
        {
            return;
        }

        var seq = _freeSequences.Pop();
        LlamaNative.llama_memory_seq_rm(mem, seq, -1, -1);
        LlamaNative.llama_memory_seq_cp(mem, sourceSequence, seq, -1, -1);
        LlamaNative.llama_memory_seq_rm(mem, seq, length, -1);
        _entries.Add(new Entry(seq, prompt.AsSpan(0, length).ToArray(), adapterKey) { LastUse = ++_clock });
        Tokens += length;
    }

    /// <summary>Drops every entry (used when the KV cache is full).</summary>
    public bool Clear(IntPtr mem)
    {
        var any = _entries.Count > 0;
        foreach (var e in _entries.ToArray())
        {
            Remove(mem, e);
        }

        return any;
    }

    /// <summary>Sequence ids and lengths currently held (for tests and diagnostics).</summary>
    public IReadOnlyList<(int Sequence, int Tokens)> Snapshot() => _entries.Select(e => (e.Sequence, e.Tokens.Length)).ToArray();

    private void Remove(IntPtr mem, Entry e)
    {
        LlamaNative.llama_memory_seq_rm(mem, e.Sequence, -1, -1);
        _entries.Remove(e);
        _freeSequences.Push(e.Sequence);
        Tokens -= e.Tokens.Length;
    }

    private static int CommonPrefix(int[] a, int[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        return a.AsSpan(0, n).CommonPrefixLength(b.AsSpan(0, n));
    }

    private sealed class Entry(int sequence, int[] tokens, string adapterKey)
    {
        public int Sequence { get; } = sequence;

        public int[] Tokens { get; } = tokens;

        public string AdapterKey { get; } = adapterKey;

        public long LastUse { get; set; }
    }
}
