using System.Text.Json;

namespace Rag.Ingest.Storage.Internal;

/// <summary>
/// Write-to-temp, fsync, rename: a reader (or a restart after a crash) sees the old file or the complete new one.
/// </summary>
internal static class DurableFile
{
    public const string TempSuffix = ".tmp";

    public static void WriteJson<T>(string path, T value, JsonSerializerOptions options)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                JsonSerializer.Serialize(fs, value, options);
                fs.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public static T? ReadJson<T>(string path, JsonSerializerOptions options)
    {
        using var fs = File.OpenRead(path);
        return JsonSerializer.Deserialize<T>(fs, options);
    }
}
