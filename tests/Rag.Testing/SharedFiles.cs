using Rag.Core.Configuration;

namespace Rag.Testing;

/// <summary>
/// The shared folder of models and evaluation data, found the way the product finds it (<see cref="RagPaths.SharedDirectory"/>:
/// <c>RAG_SHARED_DIR</c>, else a <c>shared</c> folder beside any ancestor of the working or test directory).
/// </summary>
public static class SharedFiles
{
    /// <summary>The shared folder; throws when there is none.</summary>
    public static string Directory => RagPaths.SharedDirectory()
        ?? throw new DirectoryNotFoundException($"No shared folder (holding models/) found upward from the test directory; set {RagPaths.SharedDirectoryVariable}.");

    /// <summary>A file of <c>shared/models</c>.</summary>
    public static string Model(string fileName) => Path.Combine(Directory, "models", fileName);

    /// <summary>A file or folder under <c>shared/data</c>.</summary>
    public static string Data(string relative) => Path.Combine(Directory, "data", relative);

    /// <summary>A file or folder under the shared folder, or null when it (or the shared folder) does not exist.</summary>
    public static string? Find(string relative) =>
        RagPaths.SharedDirectory() is { } shared && Path.Combine(shared, relative) is var path && (File.Exists(path) || System.IO.Directory.Exists(path))
            ? path
            : null;
}
