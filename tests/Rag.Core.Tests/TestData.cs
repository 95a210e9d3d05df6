namespace Rag.Core.Tests;

/// <summary>Finds the shared evaluation data: $RAG_SHARED_DIR, else a 'shared' folder next to any ancestor of the test folder.</summary>
internal static class TestData
{
    public static string SharedDir()
    {
        string? env = Environment.GetEnvironmentVariable("RAG_SHARED_DIR");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env))
        {
            return env;
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared");
                if (Directory.Exists(Path.Combine(candidate, "data")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException(
            "Shared data not found: set RAG_SHARED_DIR or place the 'shared' folder (with data/scifact) next to the repository.");
    }

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "rag-core-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

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
