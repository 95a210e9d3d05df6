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

    /// <summary>
    /// Vector i = normalize(centroid[c] + noise * P z + 0.05 n), where c is a hashed cluster, z ~ N(0, I_latent) and P a fixed
    /// random 384 x latent projection, n ~ N(0, I/dim). Real text embeddings have a low intrinsic dimension; isotropic
    /// 384-d noise would make every neighbor nearly equidistant, which no embedding model produces.
    /// Generated in parallel, deterministic per row.
    /// </summary>
    public static float[] Generate(int n, int dim, float[] centroids, float noise, ulong seed, int latent = 16)
    {
        int clusters = centroids.Length / dim;
        var data = new float[(long)n * dim];
        var prng = new SplitMix(0xC0FFEE);
        var projection = new float[latent * dim];
        for (int i = 0; i < projection.Length; i++)
        {
            projection[i] = prng.NextGaussian() / MathF.Sqrt(latent);
        }

        Parallel.For(0, Environment.ProcessorCount, part =>
        {
            int from = (int)((long)n * part / Environment.ProcessorCount);
            int to = (int)((long)n * (part + 1) / Environment.ProcessorCount);
            var z = new float[latent];
            for (int i = from; i < to; i++)
            {
                var rng = new SplitMix(seed ^ ((ulong)i * 0x9E3779B97F4A7C15UL));
                int c = (int)(rng.Next() % (ulong)clusters);
                var row = data.AsSpan((int)((long)i * dim), dim);
                centroids.AsSpan(c * dim, dim).CopyTo(row);
                for (int j = 0; j < latent; j++)
                {
                    z[j] = noise * rng.NextGaussian();
                }

                for (int j = 0; j < latent; j++)
                {
                    TensorPrimitives.MultiplyAdd(projection.AsSpan(j * dim, dim), z[j], row, row);
                }

                for (int j = 0; j < dim; j++)
                {
                    row[j] += 0.05f * rng.NextGaussian() / MathF.Sqrt(dim);
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
