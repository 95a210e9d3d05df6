using System.Text;

namespace Rag.Model.Inference.Internal;

/// <summary>
/// Streams text through a set of stop strings. Text that could still grow into a stop string is held back; once a stop
/// string appears, only the text before it is released and the matcher reports the stop.
/// </summary>
internal sealed class StopStringMatcher
{
    private readonly string[] _stops;
    private readonly StringBuilder _pending = new();

    public StopStringMatcher(IReadOnlyList<string> stops) => _stops = stops.ToArray();

    /// <summary>Adds text; returns the text now safe to emit, and whether a stop string was completed.</summary>
    public string Push(string text, out bool stopped)
    {
        _pending.Append(text);
        var s = _pending.ToString();
        var first = -1;
        foreach (var stop in _stops)
        {
            var i = s.IndexOf(stop, StringComparison.Ordinal);
            if (i >= 0 && (first < 0 || i < first))
            {
                first = i;
            }
        }

        if (first >= 0)
        {
            stopped = true;
            _pending.Clear();
            return s[..first];
        }

        stopped = false;
        var hold = 0;
        foreach (var stop in _stops)
        {
            for (var len = Math.Min(stop.Length - 1, s.Length); len > hold; len--)
            {
                if (s.AsSpan(s.Length - len).SequenceEqual(stop.AsSpan(0, len)))
                {
                    hold = len;
                    break;
                }
            }
        }

        _pending.Clear();
        _pending.Append(s, s.Length - hold, hold);
        return s[..^hold];
    }

    /// <summary>Releases held text at the end of generation.</summary>
    public string Flush()
    {
        var s = _pending.ToString();
        _pending.Clear();
        return s;
    }
}
