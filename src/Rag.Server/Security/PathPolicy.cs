using Rag.Server.Hosting;

namespace Rag.Server.Security;

/// <summary>Confines file paths named in requests to <see cref="RagServerOptions.AllowedRoots"/> (after resolving links).</summary>
internal static class PathPolicy
{
    /// <summary>Returns the full path, or throws 400 (not absolute, malformed) or 403 (outside every root).</summary>
    public static string Confine(string path, IEnumerable<string> roots)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal) || !Path.IsPathFullyQualified(path))
        {
            throw new ApiException(400, $"'{path}' is not an absolute path.", "paths", "invalid_path");
        }

        var full = Resolve(Path.GetFullPath(path));
        foreach (var root in roots)
        {
            var r = Resolve(Path.GetFullPath(root)).TrimEnd(Path.DirectorySeparatorChar);
            if (full.Equals(r, StringComparison.Ordinal) || full.StartsWith(r + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return full;
            }
        }

        throw new ApiException(403, $"'{path}' is outside the folders this server may read (Rag:Server:AllowedRoots).", "paths", "path_not_allowed");
    }

    /// <summary>Resolves symbolic links in every existing component, so a link inside a root cannot point outside it.</summary>
    private static string Resolve(string full)
    {
        var parts = full.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = Path.GetPathRoot(full) ?? "/";
        foreach (var part in parts)
        {
            current = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.Exists && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                current = target.FullName;
            }
        }

        return current;
    }
}
