namespace Rag.Core.Storage.Internal;

/// <summary>
/// The latest committed manifest, as cheaply as possible: while a writer in this process holds the lock its manifest is
/// authoritative; otherwise the file is re-read only when its size or modification time changed, or when the cached
/// read was made so soon after the file's last write that a second write within the file-system clock's granularity
/// could have gone unnoticed.
/// </summary>
internal sealed class ManifestWatch(string directory)
{
    // File times come from the kernel's coarse clock (a few milliseconds); two writes inside one tick keep one time.
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(2);
    private readonly string _path = Path.Combine(directory, StoreLayout.ManifestFileName);
    private volatile Cached? _cached;
    private volatile IndexManifest? _pinned;

    /// <summary>The latest committed manifest.</summary>
    public IndexManifest Current()
    {
        if (_pinned is { } pinned)
        {
            return pinned;
        }

        var info = new FileInfo(_path);
        if (!info.Exists)
        {
            return _cached?.Manifest ?? new IndexManifest { FormatVersion = 0 };
        }

        var cached = _cached;
        DateTime written = info.LastWriteTimeUtc;
        long length = info.Length;
        if (cached is not null && cached.Written == written && cached.Length == length && cached.ReadAt - written > Settled)
        {
            return cached.Manifest;
        }

        var now = DateTime.UtcNow;
        var manifest = StoreLayout.ReadManifest(directory);
        _cached = new Cached(written, length, now, manifest);
        return manifest;
    }

    /// <summary>Forgets the cached read (a file it named has gone: a newer commit replaced it).</summary>
    public void Invalidate() => _cached = null;

    /// <summary>A writer in this process committed (or opened): its manifest is the latest until <see cref="Unpin"/>.</summary>
    public void Pin(IndexManifest manifest) => _pinned = manifest;

    /// <summary>The writer closed: read the file again.</summary>
    public void Unpin()
    {
        _pinned = null;
        _cached = null;
    }

    private sealed record Cached(DateTime Written, long Length, DateTime ReadAt, IndexManifest Manifest);
}
