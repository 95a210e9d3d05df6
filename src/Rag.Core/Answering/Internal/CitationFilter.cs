using System.Globalization;
using System.Text;

namespace Rag.Core.Answering.Internal;

/// <summary>
/// Checks citations in a streamed answer as they arrive. Text that may be the start of a citation (<c>[</c>, digits,
/// commas and spaces) is held back until its <c>]</c> arrives; a complete citation keeps only the numbers that name a
/// given source (1..<c>sourceCount</c>) and is removed when none does. Anything else passes through unchanged.
/// </summary>
internal sealed class CitationFilter(int sourceCount)
{
    // A citation longer than this is not a citation ("[1, 2, 3, 4, 5]" is 15 characters).
    private const int MaxPending = 24;

    private readonly StringBuilder _pending = new();
    private readonly List<int> _dropped = [];

    /// <summary>Every dropped citation number so far, in order.</summary>
    public List<int> Dropped => _dropped;

    /// <summary>Feeds <paramref name="text"/>; returns the text safe to show and appends dropped numbers to <paramref name="dropped"/>.</summary>
    public string Push(string text, List<int> dropped)
    {
        var output = new StringBuilder();
        foreach (var c in text)
        {
            if (_pending.Length == 0)
            {
                if (c == '[')
                {
                    _pending.Append(c);
                }
                else
                {
                    output.Append(c);
                }

                continue;
            }

            if (c == ']')
            {
                _pending.Append(c);
                output.Append(Resolve(_pending.ToString(), dropped));
                _pending.Clear();
            }
            else if (char.IsAsciiDigit(c) || ((c == ',' || c == ' ') && _pending.Length > 1))
            {
                _pending.Append(c);
                if (_pending.Length > MaxPending)
                {
                    output.Append(_pending);
                    _pending.Clear();
                }
            }
            else
            {
                // Not a citation after all: release what was held and look at this character afresh.
                output.Append(_pending);
                _pending.Clear();
                if (c == '[')
                {
                    _pending.Append(c);
                }
                else
                {
                    output.Append(c);
                }
            }
        }

        return output.ToString();
    }

    /// <summary>Releases held text at the end of the stream (an unfinished citation is shown as written).</summary>
    public string Flush()
    {
        var rest = _pending.ToString();
        _pending.Clear();
        return rest;
    }

    private string Resolve(string citation, List<int> dropped)
    {
        var inner = citation[1..^1];
        var parts = inner.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length == 0 || parts.Any(p => p.Length == 0 || !p.All(char.IsAsciiDigit)))
        {
            return citation;
        }

        var kept = new List<string>();
        foreach (var p in parts)
        {
            if (int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= sourceCount)
            {
                kept.Add(n.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                var bad = int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : int.MaxValue;
                dropped.Add(bad);
                _dropped.Add(bad);
            }
        }

        return kept.Count == parts.Length ? citation : kept.Count == 0 ? string.Empty : "[" + string.Join(", ", kept) + "]";
    }
}
