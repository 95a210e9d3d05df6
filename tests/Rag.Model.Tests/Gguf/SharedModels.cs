namespace Rag.Model.Tests.Gguf;

/// <summary>Finds the shared model folder: RAG_SHARED_DIR, else a <c>shared/models</c> folder next to an ancestor of the test binaries.</summary>
internal static class SharedModels
{
    private static readonly Lazy<string> Dir = new(Locate);

    public static string Stories260K => Path.Combine(Dir.Value, "stories260K-llama-f32.gguf");

    public static string Llama2TinyRandom => Path.Combine(Dir.Value, "llama-2-tiny-random-f16.gguf");

    private static string Locate()
    {
        var env = Environment.GetEnvironmentVariable("RAG_SHARED_DIR");
        if (!string.IsNullOrEmpty(env))
        {
            return Path.Combine(env, "models");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "models");
            if (File.Exists(Path.Combine(candidate, "MANIFEST.md")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"No shared/models folder above {AppContext.BaseDirectory}; set RAG_SHARED_DIR to the folder that holds models/.");
    }
}
