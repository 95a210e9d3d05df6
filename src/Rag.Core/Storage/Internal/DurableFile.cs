using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rag.Core.Storage.Internal;

/// <summary>
/// Write to a temp file, fsync it, rename it over the target, fsync the folder: after a crash or a power loss the target
/// holds either its old content or the complete new one, never a torn file, and a completed write is never undone.
/// </summary>
/// <remarks>
/// Temp files are named <c>.{target}.{pid}.{guid}.tmp</c> next to the target. <see cref="TempTarget"/> recognizes exactly
/// that shape, so cleanup after a crash removes our temp files and never a user's <c>notes.tmp</c>.
/// </remarks>
internal static partial class DurableFile
{
    /// <summary>Writes <paramref name="path"/> durably; <paramref name="writeTemp"/> writes the complete content to the path it is given.</summary>
    public static void Write(string path, Action<string> writeTemp, StoreFileSystem? fileSystem = null)
    {
        ArgumentNullException.ThrowIfNull(writeTemp);
        fileSystem ??= StoreFileSystem.Default;
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        string temp = TempPathFor(full);
        try
        {
            fileSystem.BeginWrite(temp);
            writeTemp(temp);
            fileSystem.FsyncFile(temp);
            fileSystem.Rename(temp, full);
            fileSystem.FsyncDirectory(dir);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Serializes <paramref name="value"/> as JSON into <paramref name="path"/>, durably.</summary>
    public static void WriteJson<T>(string path, T value, JsonSerializerOptions options, StoreFileSystem? fileSystem = null) =>
        Write(
            path,
            temp =>
            {
                using var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                JsonSerializer.Serialize(fs, value, options);
            },
            fileSystem);

    /// <summary>Reads a JSON file written by <see cref="WriteJson"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not valid JSON of the expected shape.</exception>
    public static T ReadJson<T>(string path, JsonSerializerOptions options)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            return JsonSerializer.Deserialize<T>(fs, options) ?? throw new InvalidDataException($"'{path}' is empty (JSON null).");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>The temp path a write of <paramref name="path"/> uses.</summary>
    public static string TempPathFor(string path)
    {
        string full = Path.GetFullPath(path);
        return Path.Combine(
            Path.GetDirectoryName(full)!,
            string.Create(CultureInfo.InvariantCulture, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"));
    }

    /// <summary>
    /// The file a temp file was written for, when <paramref name="fileName"/> has the shape of our temp files
    /// (<c>.{target}.{pid}.{32 hex}.tmp</c>); otherwise null.
    /// </summary>
    public static string? TempTarget(string fileName)
    {
        var match = TempName().Match(fileName);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"^\.(.+)\.\d+\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TempName();
}
