using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Rag.Core.Storage.Internal;

/// <summary>
/// The store folder's layout: the names of the files the store creates, how to tell a store folder (format 2, or format
/// 1 before the ownership marker existed) from a foreign one, and the JSON of the marker and the manifest.
/// </summary>
internal static partial class StoreLayout
{
    public const string MarkerFileName = "rag-index.json";
    public const string ManifestFileName = "manifest.json";
    public const string LuceneFolderName = "lucene";
    public const string MarkerFormat = "rag-index";
    public const int LayoutVersion = 2;

    public static readonly JsonSerializerOptions Json = CreateJson(indented: false);
    public static readonly JsonSerializerOptions JsonIndented = CreateJson(indented: true);

    public static string VectorsFileName(long generation) => string.Create(CultureInfo.InvariantCulture, $"vectors.{generation}.bin");

    public static string DocumentsFileName(long generation) => string.Create(CultureInfo.InvariantCulture, $"documents.{generation}.json");

    /// <summary>The generation of a per-generation file (<c>vectors.N.bin</c>, <c>documents.N.json</c>), or null for any other name.</summary>
    public static long? GenerationOfFile(string fileName)
    {
        var match = GenerationFile().Match(fileName);
        return match.Success ? long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Whether the store creates files of this name (the names format 1 and format 2 use, and their temp files).</summary>
    public static bool IsStoreFileName(string fileName)
    {
        if (fileName is MarkerFileName or ManifestFileName or LuceneFolderName or WriterLock.LockFileName or WriterLock.OwnerFileName)
        {
            return true;
        }

        if (GenerationOfFile(fileName) is not null)
        {
            return true;
        }

        // Temp files of our files, also the temp of a temp that IVectorIndex.Save writes on the way.
        string? target = DurableFile.TempTarget(fileName);
        return target is not null && IsStoreFileName(target);
    }

    /// <summary>What a folder holds, as far as the store is concerned.</summary>
    public static FolderKind Classify(string directory, out IReadOnlyList<string> foreignEntries)
    {
        foreignEntries = [];
        if (!System.IO.Directory.Exists(directory))
        {
            return FolderKind.Missing;
        }

        var entries = System.IO.Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).OfType<string>().ToList();
        if (entries.Contains(MarkerFileName))
        {
            return FolderKind.Store;
        }

        var foreign = entries.Where(e => !IsStoreFileName(e)).Order(StringComparer.Ordinal).ToList();
        if (foreign.Count > 0)
        {
            foreignEntries = foreign;
            return FolderKind.Foreign;
        }

        // Nothing but names the store uses: a format-1 store when it has its Lucene folder or its manifest, else empty
        // (a lock file from a creation that was interrupted is not content).
        return entries.Contains(LuceneFolderName) || entries.Contains(ManifestFileName) ? FolderKind.FormatOneStore : FolderKind.Empty;
    }

    public static void WriteMarker(string directory, StoreFileSystem fileSystem) =>
        DurableFile.WriteJson(
            Path.Combine(directory, MarkerFileName),
            new StoreMarker(MarkerFormat, LayoutVersion, DateTimeOffset.UtcNow),
            JsonIndented,
            fileSystem);

    /// <exception cref="NotAnIndexException">The marker is not ours or names a newer layout.</exception>
    public static void CheckMarker(string directory)
    {
        string path = Path.Combine(directory, MarkerFileName);
        StoreMarker marker;
        try
        {
            marker = DurableFile.ReadJson<StoreMarker>(path, Json);
        }
        catch (InvalidDataException ex)
        {
            throw new NotAnIndexException(directory, $"'{directory}' has a damaged index marker {MarkerFileName} ({ex.Message}); move the folder away and rebuild the index");
        }

        if (marker.Format != MarkerFormat)
        {
            throw new NotAnIndexException(directory, $"'{directory}' has a {MarkerFileName} that is not a Rag index marker; use another folder for the index");
        }

        if (marker.Layout > LayoutVersion)
        {
            throw new NotAnIndexException(
                directory,
                $"index '{directory}' has layout {marker.Layout}, written by a newer version of Rag than this one (layout {LayoutVersion}); upgrade Rag to use it");
        }
    }

    /// <summary>Reads the manifest; a missing one is generation 0 (a new store, or a format-1 store before its first commit).</summary>
    public static IndexManifest ReadManifest(string directory)
    {
        string path = Path.Combine(directory, ManifestFileName);
        if (!File.Exists(path))
        {
            return new IndexManifest { FormatVersion = 0 };
        }

        var manifest = DurableFile.ReadJson<IndexManifest>(path, Json);
        if (manifest.FormatVersion > IndexManifest.CurrentFormatVersion)
        {
            throw new NotAnIndexException(
                directory,
                $"index '{directory}' has manifest format {manifest.FormatVersion}, written by a newer version of Rag than this one (format {IndexManifest.CurrentFormatVersion}); upgrade Rag to use it");
        }

        return manifest;
    }

    public static void WriteManifest(string directory, IndexManifest manifest, StoreFileSystem fileSystem) =>
        DurableFile.WriteJson(Path.Combine(directory, ManifestFileName), manifest, JsonIndented, fileSystem);

    private static JsonSerializerOptions CreateJson(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = indented };
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }

    [GeneratedRegex(@"^(?:vectors|documents)\.(\d+)\.(?:bin|json)$", RegexOptions.CultureInvariant)]
    private static partial Regex GenerationFile();

    /// <summary>Content of the ownership marker <c>rag-index.json</c>.</summary>
    private sealed record StoreMarker(string Format, int Layout, DateTimeOffset CreatedUtc);
}

/// <summary>What a folder holds.</summary>
internal enum FolderKind
{
    /// <summary>The folder does not exist.</summary>
    Missing,

    /// <summary>The folder holds nothing (or only a lock file).</summary>
    Empty,

    /// <summary>A store with its ownership marker.</summary>
    Store,

    /// <summary>A format-1 store: only store file names, no marker yet.</summary>
    FormatOneStore,

    /// <summary>Anything else: a folder the store does not own.</summary>
    Foreign,
}
