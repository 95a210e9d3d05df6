namespace Rag.Core.Tests;

/// <summary>Generated test vectors.</summary>
internal static class TestVectors
{
    public static float[] RandomUnitVectors(int n, int dim, int seed)
    {
        var rng = new Random(seed);
        var data = new float[n * dim];
        for (int i = 0; i < n; i++)
        {
            double norm = 0;
            for (int j = 0; j < dim; j++)
            {
                float v = (float)((rng.NextDouble() * 2) - 1);
                data[(i * dim) + j] = v;
                norm += v * v;
            }

            for (int j = 0; j < dim; j++)
            {
                data[(i * dim) + j] /= (float)Math.Sqrt(norm);
            }
        }

        return data;
    }
}
