namespace Rag.Model.Tests;

/// <summary>Locates the shared test models: $RAG_SHARED_DIR, else a `shared/models` folder found upward from here.</summary>
internal static class TestModels
{
    private static readonly Lazy<string> SharedDir = new(Find);

    public static string Stories260K => Path.Combine(SharedDir.Value, "models", "stories260K-llama-f32.gguf");

    public static string Llama2TinyRandom => Path.Combine(SharedDir.Value, "models", "llama-2-tiny-random-f16.gguf");

    public static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    private static string Find()
    {
        var env = Environment.GetEnvironmentVariable("RAG_SHARED_DIR");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "shared");
                if (Directory.Exists(Path.Combine(candidate, "models")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("No shared/models folder found upward from the test directory; set RAG_SHARED_DIR.");
    }
}
