using System.Diagnostics;
using System.Globalization;

namespace Rag.Core.Storage.Internal;

/// <summary>
/// The store's single-writer lock: an exclusive OS lock (<c>flock</c> on Unix, a share-none handle on Windows) on
/// <c>writer.lock</c> in the store folder, held for as long as a writer is open. The OS releases it when the process
/// dies, so a crashed writer never leaves the store locked. The holder's process id goes to <c>writer.pid</c>, so a
/// waiting process can say who holds it.
/// </summary>
/// <remarks>
/// The lock file is never deleted: deleting it while another process waits on it would let two writers lock two
/// different files. The OS lock is .NET's <see cref="FileShare.None"/>, which .NET implements with <c>flock</c> on Unix;
/// the <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> switch turns that off, so the store refuses to write under it.
/// </remarks>
internal sealed class WriterLock : IDisposable
{
    public const string LockFileName = "writer.lock";
    public const string OwnerFileName = "writer.pid";

    private readonly FileStream _handle;

    private WriterLock(FileStream handle) => _handle = handle;

    /// <summary>Takes the lock, waiting up to <paramref name="timeout"/>.</summary>
    /// <exception cref="IndexLockedException">Another process (or another writer in this one) kept it for the whole wait.</exception>
    public static async Task<WriterLock> AcquireAsync(string storeDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ThrowIfLockingDisabled();
        string path = Path.Combine(storeDirectory, LockFileName);
        var waited = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var handle = TryLock(path);
            if (handle is not null)
            {
                WriteOwner(storeDirectory);
                return new WriterLock(handle);
            }

            var left = timeout - waited.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new IndexLockedException(storeDirectory, ReadOwner(storeDirectory));
            }

            await Task.Delay(delay < left ? delay : left, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(250, delay.TotalMilliseconds * 2));
        }
    }

    /// <summary>Whether some writer holds the lock right now (a probe: takes and releases it when free).</summary>
    public static bool IsHeld(string storeDirectory)
    {
        string path = Path.Combine(storeDirectory, LockFileName);
        if (!File.Exists(path))
        {
            return false;
        }

        using var handle = TryLock(path);
        return handle is null;
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _handle.Dispose();

    private static FileStream? TryLock(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null; // held by another handle (sharing violation)
        }
    }

    private static void WriteOwner(string storeDirectory)
    {
        try
        {
            File.WriteAllText(Path.Combine(storeDirectory, OwnerFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            // Informational only: a waiting process then reports "another process".
        }
    }

    private static int? ReadOwner(string storeDirectory)
    {
        try
        {
            string text = File.ReadAllText(Path.Combine(storeDirectory, OwnerFileName)).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void ThrowIfLockingDisabled()
    {
        bool disabled = (AppContext.TryGetSwitch("System.IO.DisableFileLocking", out bool on) && on) ||
            Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is "1" or "true";
        if (disabled)
        {
            throw new NotSupportedException(
                "The index writer lock needs OS file locking, which DOTNET_SYSTEM_IO_DISABLEFILELOCKING (System.IO.DisableFileLocking) turns off; unset it to write to an index.");
        }
    }
}
