namespace Rag.Core.Configuration;

/// <summary>
/// Finds the folders Rag uses by convention, without absolute machine paths: the repository root (the folder holding
/// <c>Rag.sln</c> or <c>.native</c>), and the <c>shared</c> folder beside it that holds models and evaluation data.
/// </summary>
public static class RagPaths
{
    /// <summary>Environment variable that overrides the shared folder.</summary>
    public const string SharedDirectoryVariable = "RAG_SHARED_DIR";

    /// <summary>
    /// Walks up from <paramref name="start"/> (default: the current directory, then the application's base directory)
    /// and returns the first existing <c>dir/relative</c>, or null.
    /// </summary>
    public static string? FindUpward(string relative, string? start = null)
    {
        foreach (var origin in start is null ? [Environment.CurrentDirectory, AppContext.BaseDirectory] : new[] { start })
        {
            for (var dir = new DirectoryInfo(origin); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate) || Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The shared folder: <c>RAG_SHARED_DIR</c>, else the first <c>shared</c> folder (holding <c>models</c>) found in the
    /// current or application directory or any ancestor, which covers <c>repo/../shared</c>.
    /// </summary>
    public static string? SharedDirectory()
    {
        var fromEnv = Environment.GetEnvironmentVariable(SharedDirectoryVariable);
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return Directory.Exists(fromEnv) ? Path.GetFullPath(fromEnv) : null;
        }

        return FindUpward(Path.Combine("shared", "models")) is { } models ? Path.GetFullPath(Path.Combine(models, "..")) : null;
    }

    /// <summary>Model search folders, in order: <c>./models</c>, then <c>shared/models</c>.</summary>
    public static IReadOnlyList<string> ModelDirectories()
    {
        var dirs = new List<string>();
        var local = Path.GetFullPath("models");
        if (Directory.Exists(local))
        {
            dirs.Add(local);
        }

        if (SharedDirectory() is { } shared && Directory.Exists(Path.Combine(shared, "models")))
        {
            dirs.Add(Path.Combine(shared, "models"));
        }

        return dirs;
    }

    /// <summary>
    /// Resolves a model by explicit path (must exist), else by environment variable, else by file name in
    /// <see cref="ModelDirectories"/>. Throws <see cref="FileNotFoundException"/> naming every place it looked.
    /// </summary>
    public static string ResolveModel(string? configuredPath, string? environmentVariable, string defaultFileName)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            return File.Exists(configuredPath)
                ? Path.GetFullPath(configuredPath)
                : throw new FileNotFoundException($"model file not found: {configuredPath}", configuredPath);
        }

        var fromEnv = environmentVariable is null ? null : Environment.GetEnvironmentVariable(environmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            return File.Exists(fromEnv)
                ? Path.GetFullPath(fromEnv)
                : throw new FileNotFoundException($"model file not found: {fromEnv} (from ${environmentVariable})", fromEnv);
        }

        var looked = new List<string>();
        foreach (var dir in ModelDirectories())
        {
            var candidate = Path.Combine(dir, defaultFileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }

            looked.Add(dir);
        }

        var where = looked.Count == 0 ? "no ./models folder and no ../shared/models folder exists" : "looked in " + string.Join(", ", looked);
        throw new FileNotFoundException(
            $"model '{defaultFileName}' not found ({where}). Put a GGUF file in ./models, or pass --model PATH" +
            (environmentVariable is null ? "." : $", or set {environmentVariable}."), defaultFileName);
    }
}
