namespace Rag.Tools.Synthetic.Internal;

/// <summary>
/// Deterministic random weights. Each tensor gets its own stream derived from the seed and the tensor's name,
/// so a tensor's values do not depend on which other tensors a model has or in which order they are written.
/// Values are uniform with the requested standard deviation: the values do not affect speed, and a bounded
/// distribution (|w| &lt;= std·√3) cannot produce the outliers that overflow F16 or blow up activations.
/// </summary>
internal sealed class WeightGenerator
{
    private ulong _state;

    public WeightGenerator(ulong seed, string tensorName)
    {
        // FNV-1a over the name, mixed with the seed through SplitMix64 so that similar names give unrelated streams.
        var h = 14695981039346656037UL;
        foreach (var c in tensorName)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        _state = seed ^ h;
        Next();
    }

    public ulong Next()
    {
        // SplitMix64: passes BigCrush, one multiply-xorshift chain per value.
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Fills with values uniform on [-std·√3, std·√3] (standard deviation <paramref name="std"/>), shifted by <paramref name="mean"/>.</summary>
    public void Fill(Span<float> values, float std, float mean = 0f)
    {
        var halfWidth = std * MathF.Sqrt(3f);
        const float inv24 = 1f / (1 << 24);
        var i = 0;
        for (; i + 1 < values.Length; i += 2)
        {
            var r = Next();
            values[i] = mean + halfWidth * ((((uint)r >> 8) * inv24 * 2f) - 1f);
            values[i + 1] = mean + halfWidth * ((((uint)(r >> 32) >> 8) * inv24 * 2f) - 1f);
        }

        if (i < values.Length)
        {
            values[i] = mean + halfWidth * ((((uint)Next() >> 8) * inv24 * 2f) - 1f);
        }
    }
}
