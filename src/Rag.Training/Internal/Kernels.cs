using System.Numerics.Tensors;

namespace Rag.Training.Internal;

/// <summary>Vectorized (System.Numerics.Tensors) and parallel dense kernels on row-major float arrays.</summary>
internal static class Kernels
{
    // rows of W processed together, so that a block of W stays in cache while every row of X passes over it
    private const int RowBlock = 16;

    /// <summary>Runs body(start, end) over [0, n) in at most <paramref name="threads"/> contiguous parts; inline when small.</summary>
    public static void For(int n, int threads, long work, Action<int, int> body)
    {
        if (threads <= 1 || n < 2 || work < 32_768)
        {
            body(0, n);
            return;
        }

        var parts = Math.Min(n, threads);
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, p => body((int)((long)n * p / parts), (int)((long)n * (p + 1) / parts)));
    }

    /// <summary>Y[t, o] = X[t, :] · W[o, :] for t &lt; rows; X is rows × n, W is m × n, Y is rows × m.</summary>
    public static void MatMulT(float[] x, float[] w, float[] y, int rows, int n, int m, int threads)
    {
        For(m, threads, (long)rows * n * m, (o0, o1) =>
        {
            for (var b = o0; b < o1; b += RowBlock)
            {
                var be = Math.Min(o1, b + RowBlock);
                for (var t = 0; t < rows; t++)
                {
                    var xr = new ReadOnlySpan<float>(x, t * n, n);
                    for (var o = b; o < be; o++)
                    {
                        y[(t * m) + o] = TensorPrimitives.Dot(xr, new ReadOnlySpan<float>(w, o * n, n));
                    }
                }
            }
        });
    }

    /// <summary>dX[t, :] += Σ_o dY[t, o] · W[o, :]: the input gradient of <see cref="MatMulT"/>.</summary>
    public static void MatMulBackInput(float[] dy, float[] w, float[] dx, int rows, int n, int m, int threads)
    {
        // parallel over column blocks of dX, so the threads never write the same element
        var blocks = Math.Max(1, Math.Min(threads, n / 16));
        For(blocks, threads, (long)rows * n * m, (b0, b1) =>
        {
            int i0 = n * b0 / blocks, i1 = n * b1 / blocks, len = i1 - i0;
            for (var ob = 0; ob < m; ob += RowBlock)
            {
                var oe = Math.Min(m, ob + RowBlock);
                for (var t = 0; t < rows; t++)
                {
                    var dxr = new Span<float>(dx, (t * n) + i0, len);
                    for (var o = ob; o < oe; o++)
                    {
                        var g = dy[(t * m) + o];
                        if (g != 0)
                        {
                            TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(w, (o * n) + i0, len), g, dxr, dxr);
                        }
                    }
                }
            }
        });
    }

    /// <summary>G[o, :] += scale · Σ_t dY[t, o] · X[t, :]: the weight gradient of <see cref="MatMulT"/> (G is m × n).</summary>
    public static void MatMulBackWeight(float[] dy, float[] x, float[] g, int rows, int n, int m, float scale, int threads)
    {
        For(m, threads, (long)rows * n * m, (o0, o1) =>
        {
            for (var o = o0; o < o1; o++)
            {
                var gr = new Span<float>(g, o * n, n);
                for (var t = 0; t < rows; t++)
                {
                    var c = dy[(t * m) + o] * scale;
                    if (c != 0)
                    {
                        TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(x, t * n, n), c, gr, gr);
                    }
                }
            }
        });
    }

    /// <summary>y = x / rms(x) · g per row; returns 1/rms per row in <paramref name="inv"/>. Sums in double, as ggml does.</summary>
    public static void RmsNorm(float[] x, float[] g, float[] y, float[] inv, int rows, int n, float eps)
    {
        for (var t = 0; t < rows; t++)
        {
            var xr = new ReadOnlySpan<float>(x, t * n, n);
            double sum = 0;
            foreach (var v in xr)
            {
                sum += v * v;
            }

            var scale = 1.0f / MathF.Sqrt((float)(sum / n) + eps);
            inv[t] = scale;
            var yr = new Span<float>(y, t * n, n);
            TensorPrimitives.Multiply(xr, scale, yr);
            TensorPrimitives.Multiply(yr, g, yr);
        }
    }

    /// <summary>dX += RMSNorm backward: r·g·dy − x·r³/n·Σ(g·dy·x).</summary>
    public static void RmsNormBack(float[] x, float[] g, float[] inv, float[] dy, float[] dx, int rows, int n)
    {
        var gdy = new float[n];
        for (var t = 0; t < rows; t++)
        {
            var xr = new ReadOnlySpan<float>(x, t * n, n);
            TensorPrimitives.Multiply(new ReadOnlySpan<float>(dy, t * n, n), g, gdy);
            var r = inv[t];
            var dot = TensorPrimitives.Dot(gdy, xr);
            var c = -dot * r * r * r / n;
            var dxr = new Span<float>(dx, t * n, n);
            TensorPrimitives.MultiplyAdd(gdy, r, dxr, dxr);
            TensorPrimitives.MultiplyAdd(xr, c, dxr, dxr);
        }
    }
}
