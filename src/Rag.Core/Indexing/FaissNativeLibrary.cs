using System.Reflection;
using System.Runtime.InteropServices;
using Rag.Core.Indexing.Internal;

namespace Rag.Core.Indexing;

/// <summary>
/// Finds and loads <c>librag_faiss.so</c>, our shim over FAISS (built by <c>native/faiss/build.sh</c>).
/// Search order: an explicit path, then the folder in the <c>RAG_FAISS_NATIVE_DIR</c> environment variable, then
/// <c>.native/faiss/librag_faiss.so</c> in the application folder or the current folder or any of their parents.
/// </summary>
/// <remarks>The library is loaded once per process; later explicit paths are checked to exist but the first load wins.</remarks>
public static class FaissNativeLibrary
{
    /// <summary>File name of the shim.</summary>
    public const string FileName = "librag_faiss.so";

    /// <summary>Environment variable naming a folder that holds <see cref="FileName"/>.</summary>
    public const string EnvironmentVariable = "RAG_FAISS_NATIVE_DIR";

    private static readonly System.Threading.Lock Gate = new();
    private static IntPtr s_handle;
    private static string? s_loadedPath;
    private static bool s_resolverSet;

    /// <summary>Path of the loaded shim, or null when not loaded.</summary>
    public static string? LoadedPath => s_loadedPath;

    /// <summary>Locates the shim without loading it; null when not found.</summary>
    public static string? Find(string? explicitPath = null)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            string p = Directory.Exists(explicitPath) ? Path.Combine(explicitPath, FileName) : explicitPath;
            return File.Exists(p) ? Path.GetFullPath(p) : null;
        }

        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env))
        {
            string p = Path.Combine(env, FileName);
            if (File.Exists(p))
            {
                return Path.GetFullPath(p);
            }
        }

        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string p = Path.Combine(dir.FullName, ".native", "faiss", FileName);
                if (File.Exists(p))
                {
                    return p;
                }
            }
        }

        return null;
    }

    /// <summary>Loads the shim, or throws <see cref="FaissNativeLibraryException"/> saying how to build it.</summary>
    public static void EnsureLoaded(string? explicitPath = null)
    {
        lock (Gate)
        {
            string? path = Find(explicitPath);
            if (path is null)
            {
                string where = string.IsNullOrEmpty(explicitPath)
                    ? $"in ${EnvironmentVariable} or in .native/faiss/ above '{AppContext.BaseDirectory}' or '{Environment.CurrentDirectory}'"
                    : $"at '{explicitPath}'";
                throw new FaissNativeLibraryException(
                    $"The FAISS shim {FileName} was not found {where}. Run './rag setup' or build it with 'native/faiss/build.sh <repo>/.native/faiss' " +
                    "(needs apt packages libfaiss-dev libopenblas-dev liblapack-dev), or set " + EnvironmentVariable + ".");
            }

            if (s_handle != IntPtr.Zero)
            {
                return;
            }

            if (!NativeLibrary.TryLoad(path, out var handle))
            {
                throw new FaissNativeLibraryException(
                    $"The FAISS shim '{path}' exists but could not be loaded; check its dependencies with 'ldd {path}' " +
                    "(libopenblas0 or libblas3, liblapack3, libgomp1).");
            }

            s_handle = handle;
            s_loadedPath = path;
            if (!s_resolverSet)
            {
                NativeLibrary.SetDllImportResolver(typeof(FaissNativeLibrary).Assembly, Resolve);
                s_resolverSet = true;
            }
        }
    }

    /// <summary>Whether the shim can be loaded; <paramref name="reason"/> says why not.</summary>
    public static bool TryLoad(out string? reason, string? explicitPath = null)
    {
        try
        {
            EnsureLoaded(explicitPath);
            reason = null;
            return true;
        }
        catch (FaissNativeLibraryException e)
        {
            reason = e.Message;
            return false;
        }
    }

    /// <summary>FAISS version compiled into the shim, for example 10703 for 1.7.3.</summary>
    public static int FaissVersion
    {
        get
        {
            EnsureLoaded();
            return FaissNative.rag_faiss_version();
        }
    }

    /// <summary>
    /// Sets FAISS's process-wide <c>distance_compute_blas_threshold</c>: batches of at least this many queries use BLAS sgemm
    /// for exact search. The shim starts with it effectively off (2^30), because its AVX2 per-query path measured faster;
    /// FAISS's own default is 20, which may win with many cores and large batches.
    /// </summary>
    public static void SetBlasThreshold(int threshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        EnsureLoaded();
        FaissNative.rag_faiss_set_blas_threshold(threshold);
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == FaissNative.LibraryName ? s_handle : IntPtr.Zero;
}

/// <summary>The FAISS shim is missing or cannot be loaded.</summary>
public sealed class FaissNativeLibraryException : DllNotFoundException
{
    /// <summary>Creates the exception.</summary>
    public FaissNativeLibraryException(string message)
        : base(message)
    {
    }
}

/// <summary>A FAISS call failed; the message is FAISS's own.</summary>
public sealed class FaissException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FaissException(string message, int code)
        : base(message) => Code = code;

    /// <summary>The shim's error code (-1 argument, -2 FAISS, -3 C++ std, -4 unknown, -5 unsupported).</summary>
    public int Code { get; }
}
