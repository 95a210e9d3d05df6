namespace Rag.Core.Indexing.Internal;

/// <summary>Keeps the k best (id, score) pairs seen; O(k) replacement of the current minimum, which is rare after warm-up.</summary>
internal sealed class TopK
{
    private readonly long[] _ids;
    private readonly float[] _scores;
    private int _count;
    private int _minIndex;

    public TopK(int k)
    {
        _ids = new long[k];
        _scores = new float[k];
    }

    public float Threshold => _count < _scores.Length ? float.NegativeInfinity : _scores[_minIndex];

    public void Offer(long id, float score)
    {
        if (_count < _scores.Length)
        {
            _ids[_count] = id;
            _scores[_count] = score;
            _count++;
            if (_count == _scores.Length)
            {
                FindMin();
            }

            return;
        }

        if (score <= _scores[_minIndex])
        {
            return;
        }

        _ids[_minIndex] = id;
        _scores[_minIndex] = score;
        FindMin();
    }

    public List<VectorHit> ToSortedList()
    {
        var hits = new List<VectorHit>(_count);
        for (int i = 0; i < _count; i++)
        {
            hits.Add(new VectorHit(_ids[i], _scores[i]));
        }

        hits.Sort(static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Id.CompareTo(b.Id));
        return hits;
    }

    private void FindMin()
    {
        int m = 0;
        for (int i = 1; i < _scores.Length; i++)
        {
            if (_scores[i] < _scores[m])
            {
                m = i;
            }
        }

        _minIndex = m;
    }
}
