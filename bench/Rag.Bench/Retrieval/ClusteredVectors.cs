using System.Numerics.Tensors;

namespace Rag.Bench.Retrieval;

/// <summary>Deterministic clustered unit vectors: Gaussian centroids plus Gaussian noise, L2-normalized.</summary>
internal static class ClusteredVectors
{
    public static float[] Centroids(int clusters, int dim, ulong seed)
    {
        var rng = new SplitMix(seed);
        var c = new float[clusters * dim];
        for (int i = 0; i < c.Length; i++)
        {
            c[i] = rng.NextGaussian();
        }

        for (int i = 0; i < clusters; i++)
        {
            Normalize(c.AsSpan(i * dim, dim));
        }

        return c;
    }

    /// <summary>Vector i = normalize(centroid[h(i) % C] + noise * N(0, 1/dim)); generated in parallel, deterministic per row.</summary>
    public static float[] Generate(int n, int dim, float[] centroids, float noise, ulong seed)
    {
        int clusters = centroids.Length / dim;
        var data = new float[(long)n * dim];
        float scale = noise / MathF.Sqrt(dim) * MathF.Sqrt(dim);
        Parallel.For(0, Environment.ProcessorCount, part =>
        {
            int from = (int)((long)n * part / Environment.ProcessorCount);
            int to = (int)((long)n * (part + 1) / Environment.ProcessorCount);
            for (int i = from; i < to; i++)
            {
                var rng = new SplitMix(seed ^ ((ulong)i * 0x9E3779B97F4A7C15UL));
                int c = (int)(rng.Next() % (ulong)clusters);
                var row = data.AsSpan((int)((long)i * dim), dim);
                var centroid = centroids.AsSpan(c * dim, dim);
                for (int j = 0; j < dim; j++)
                {
                    row[j] = centroid[j] + (scale * rng.NextGaussian() / MathF.Sqrt(dim));
                }

                Normalize(row);
            }
        });
        return data;
    }

    private static void Normalize(Span<float> v)
    {
        float norm = TensorPrimitives.Norm(v);
        if (norm > 0)
        {
            TensorPrimitives.Divide(v, norm, v);
        }
    }

    private struct SplitMix(ulong state)
    {
        private ulong _state = state;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public float NextGaussian()
        {
            double u1 = ((Next() >> 11) + 1.0) / (1UL << 53);
            double u2 = (Next() >> 11) / (double)(1UL << 53);
            return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
    }
}
