namespace Rag.Ingest.Loaders;

/// <summary>
/// The rule that gives every source file a stable document id: its path relative to one root folder, with <c>/</c>
/// separators. The root is an explicit one, else the one the index recorded when it was first filled, else the common
/// base folder of the inputs (a folder's own path; a file's parent folder). So two <c>notes.md</c> in two folders get two
/// ids, and a file gets the same id whether it was reached through its folder or by its own path. A record of a JSON
/// file is <c>{file id}:{record id}</c> (or <c>{file id}:line-N</c> / <c>{file id}:item-N</c> without an id).
/// </summary>
public static class DocumentIds
{
    /// <summary>The deepest folder that contains every path: a folder contains itself, a file is contained by its parent.</summary>
    /// <exception cref="ArgumentException">No paths, or paths on different roots (drives).</exception>
    public static string CommonBase(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        string? common = null;
        foreach (string path in paths)
        {
            string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
            string folder = Directory.Exists(full) ? full : Path.GetDirectoryName(full) ?? full;
            common = common is null ? folder : CommonAncestor(common, folder);
        }

        return common ?? throw new ArgumentException("No input paths: give at least one file or folder.", nameof(paths));
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or lies under it (full paths, ordinal).</summary>
    public static bool IsUnder(string root, string path)
    {
        string r = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        string p = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        return p.Length == r.Length
            ? string.Equals(p, r, StringComparison.Ordinal)
            : p.Length > r.Length && p.StartsWith(r, StringComparison.Ordinal) && (p[r.Length] == Path.DirectorySeparatorChar || r.EndsWith(Path.DirectorySeparatorChar));
    }

    /// <summary>The id of a file under <paramref name="root"/>: its relative path with <c>/</c> separators.</summary>
    /// <exception cref="ArgumentException">The file is not under the root.</exception>
    public static string ForFile(string root, string file)
    {
        if (!IsUnder(root, file))
        {
            throw new ArgumentException($"'{file}' is outside the source root '{root}'.", nameof(file));
        }

        return Path.GetRelativePath(root, Path.GetFullPath(file)).Replace(Path.DirectorySeparatorChar, '/');
    }

    /// <summary>The id prefix of everything under <paramref name="folder"/> (empty when the folder is the root).</summary>
    public static string PrefixOf(string root, string folder)
    {
        string relative = ForFile(root, folder);
        return relative == "." ? string.Empty : relative + "/";
    }

    private static string CommonAncestor(string a, string b)
    {
        while (!IsUnder(a, b))
        {
            string? parent = Path.GetDirectoryName(a);
            if (parent is null)
            {
                throw new ArgumentException($"'{a}' and '{b}' have no common folder.");
            }

            a = parent;
        }

        return a;
    }
}
