using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Rag.Embeddings.Bench;

/// <summary>
/// The matmul rate of this CPU, measured with OpenBLAS's sgemm (Debian's libopenblas0, which setup installs for FAISS)
/// on the shapes of a MiniLM-sized encoder: [rows × hidden]·[hidden × hidden], [rows × hidden]·[hidden × ffn] and
/// [rows × ffn]·[ffn × hidden], weighted as the model runs them.
/// </summary>
internal static partial class Sgemm
{
    private const string Library = "libopenblas.so.0";

    /// <summary>GFLOP/s over the encoder's matmul mix at <paramref name="threads"/> threads.</summary>
    public static double MeasureGflops(int threads, int rows, int hidden, int ffn, double seconds = 3)
    {
        openblas_set_num_threads(threads);
        var a = Random(rows * Math.Max(hidden, ffn));
        var b = Random(Math.Max(hidden, ffn) * Math.Max(hidden, ffn));
        var c = new float[rows * Math.Max(hidden, ffn)];
        (int K, int N, int Repeat)[] shapes = [(hidden, hidden, 4), (hidden, ffn, 1), (ffn, hidden, 1)]; // q, k, v, out; up; down
        Run(a, b, c, rows, shapes); // warm-up
        double flops = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            flops += Run(a, b, c, rows, shapes);
        }

        return flops / sw.Elapsed.TotalSeconds / 1e9;
    }

    private static unsafe double Run(float[] a, float[] b, float[] c, int m, (int K, int N, int Repeat)[] shapes)
    {
        double flops = 0;
        fixed (float* pa = a, pb = b, pc = c)
        {
            foreach (var (k, n, repeat) in shapes)
            {
                for (int r = 0; r < repeat; r++)
                {
                    // Row-major C[m×n] = A[m×k]·B[k×n].
                    cblas_sgemm(101, 111, 111, m, n, k, 1f, pa, k, pb, n, 0f, pc, n);
                    flops += 2.0 * m * n * k;
                }
            }
        }

        return flops;
    }

    private static float[] Random(int n)
    {
        var rng = new Random(1);
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = (float)(rng.NextDouble() - 0.5);
        }

        return v;
    }

    [LibraryImport(Library)]
    private static partial void openblas_set_num_threads(int threads);

    [LibraryImport(Library)]
    private static unsafe partial void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);
}
