using System.Runtime.InteropServices;
using Lucene.Net.Store;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Rag.Core.Storage.Internal;

/// <summary>
/// Every file-system operation the index store relies on for durability, in one place: creating, syncing, renaming and
/// deleting files, syncing directories, and opening the Lucene directory. The default implementation is the real file
/// system; the power-loss test substitutes one that records what was made durable and drops the rest.
/// </summary>
internal partial class StoreFileSystem
{
    /// <summary>The real file system.</summary>
    public static readonly StoreFileSystem Default = new();

    /// <summary>Creates a folder (and its parents) and makes its entry in the parent durable.</summary>
    public virtual void CreateDirectory(string path)
    {
        string full = Path.GetFullPath(path);
        if (System.IO.Directory.Exists(full))
        {
            return;
        }

        System.IO.Directory.CreateDirectory(full);
        string? parent = Path.GetDirectoryName(full);
        if (parent is not null)
        {
            FsyncDirectory(parent);
        }
    }

    /// <summary>Called before a new file is written at <paramref name="path"/> (by managed or native code).</summary>
    public virtual void BeginWrite(string path)
    {
    }

    /// <summary>Flushes a file's data and metadata to the device (fsync).</summary>
    public virtual void FsyncFile(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1);
        fs.Flush(flushToDisk: true);
    }

    /// <summary>Renames a file, replacing the target. Durable only after <see cref="FsyncDirectory"/> of its folder.</summary>
    public virtual void Rename(string from, string to) => File.Move(from, to, overwrite: true);

    /// <summary>Deletes a file if it exists.</summary>
    public virtual void DeleteFile(string path) => File.Delete(path);

    /// <summary>
    /// Makes the folder's entries (creations, renames, deletions) durable: fsync on the folder itself. Without it a power
    /// loss can undo a rename whose file data was already synced.
    /// </summary>
    public virtual void FsyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // NTFS journals metadata; a directory cannot be opened for flushing there.
        }

        int fd = Posix.Open(path, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot open the folder '{path}' to sync it (errno {errno}).");
        }

        try
        {
            if (Posix.Fsync(fd) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fsync of the folder '{path}' failed (errno {errno}).");
            }
        }
        finally
        {
            _ = Posix.Close(fd);
        }
    }

    /// <summary>Opens the Lucene directory of the store.</summary>
    public virtual LuceneDirectory OpenLuceneDirectory(string path) => FSDirectory.Open(path);

    private static partial class Posix
    {
        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);
    }
}
