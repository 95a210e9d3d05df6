using Rag.Model.Gguf;


namespace Rag.Tools.Synthetic.Internal;

/// <summary>One tensor of a synthetic file: its shape, type, and how its values are made.</summary>
internal sealed record TensorPlan(string Name, long[] Dimensions, GgmlType Type, TensorInit Init, float Std = 0f, float[]? Values = null)
{
    public static TensorPlan Explicit(string name, float[] values) => new(name, [values.Length], GgmlType.F32, TensorInit.Explicit, 0f, values);

    public static TensorPlan Random(string name, GgmlType type, float std, params long[] dims) => new(name, dims, type, TensorInit.Random, std);

    public static TensorPlan Ones(string name, params long[] dims) => new(name, dims, GgmlType.F32, TensorInit.Ones);

    public static TensorPlan Zeros(string name, params long[] dims) => new(name, dims, GgmlType.F32, TensorInit.Zeros);

    public long ElementCount => Dimensions.Aggregate(1L, (a, d) => a * d);

    /// <summary>Declares all tensors, writes the header, then streams every tensor's values in bounded chunks.</summary>
    public static SyntheticModelResult WriteAll(
        GgufWriter writer, IReadOnlyList<TensorPlan> plans, ulong seed, string architecture, int vocabSize,
        Func<long> fileSize, string? path, IProgress<double>? progress, CancellationToken ct)
    {
        foreach (var p in plans)
        {
            writer.AddTensor(p.Name, p.Dimensions, p.Type);
        }

        writer.WriteHeader();
        var total = plans.Sum(p => p.ElementCount);
        long done = 0;
        var buffer = new float[1 << 18];
        foreach (var p in plans)
        {
            ct.ThrowIfCancellationRequested();
            var gen = p.Init == TensorInit.Random ? new WeightGenerator(seed, p.Name) : null;
            var left = p.ElementCount;
            while (left > 0)
            {
                var n = (int)Math.Min(left, buffer.Length);
                var span = buffer.AsSpan(0, n);
                switch (p.Init)
                {
                    case TensorInit.Random:
                        gen!.Fill(span, p.Std);
                        break;
                    case TensorInit.Explicit:
                        p.Values.AsSpan((int)(p.ElementCount - left), n).CopyTo(span);
                        break;
                    case TensorInit.Ones:
                        span.Fill(1f);
                        break;
                    default:
                        span.Clear();
                        break;
                }

                writer.WriteTensorFloats(span);
                left -= n;
                done += n;
                if ((done & ((1 << 24) - 1)) < n)
                {
                    ct.ThrowIfCancellationRequested();
                    progress?.Report((double)done / total);
                }
            }
        }

        writer.Complete();
        progress?.Report(1.0);
        return new SyntheticModelResult(path, architecture, fileSize(), total, plans.Count, vocabSize);
    }
}

internal enum TensorInit
{
    Random,
    Explicit,
    Ones,
    Zeros,
}
