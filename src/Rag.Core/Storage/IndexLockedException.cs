using System.Globalization;

namespace Rag.Core.Storage;

/// <summary>Another writer kept the index store's writer lock for the whole wait (<see cref="IndexStoreOptions.WriterLockTimeout"/>).</summary>
public sealed class IndexLockedException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="directory">The store folder.</param>
    /// <param name="ownerProcessId">The process holding the lock, when known.</param>
    public IndexLockedException(string directory, int? ownerProcessId)
        : base(string.Create(
            CultureInfo.InvariantCulture,
            $"index '{directory}' is locked by {(ownerProcessId is int pid ? $"process {pid}" : "another process")}, which is writing to it"))
    {
        Directory = directory;
        OwnerProcessId = ownerProcessId;
    }

    /// <summary>The store folder.</summary>
    public string Directory { get; }

    /// <summary>The process that holds the writer lock, when known.</summary>
    public int? OwnerProcessId { get; }
}
