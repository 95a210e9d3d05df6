using System.Runtime.InteropServices;

namespace Rag.Core.Indexing.Internal;

/// <summary>P/Invoke declarations of native/faiss/rag_faiss.cpp. Resolved by <see cref="FaissNativeLibrary"/>.</summary>
internal static partial class FaissNative
{
    public const string LibraryName = "rag_faiss";
    public const int Unsupported = -5;

    [LibraryImport(LibraryName)]
    public static partial IntPtr rag_faiss_last_error();

    [LibraryImport(LibraryName)]
    public static partial int rag_faiss_version();

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rag_faiss_create(int dimension, string description, int metric, out IntPtr index);

    [LibraryImport(LibraryName)]
    public static partial void rag_faiss_free(IntPtr index);

    [LibraryImport(LibraryName)]
    public static partial int rag_faiss_dimension(FaissIndexHandle index, out int dimension);

    [LibraryImport(LibraryName)]
    public static partial int rag_faiss_ntotal(FaissIndexHandle index, out long ntotal);

    [LibraryImport(LibraryName)]
    public static partial int rag_faiss_is_trained(FaissIndexHandle index, out int trained);

    [LibraryImport(LibraryName)]
    public static unsafe partial int rag_faiss_train(FaissIndexHandle index, long n, float* x, int threads);

    [LibraryImport(LibraryName)]
    public static unsafe partial int rag_faiss_add_with_ids(FaissIndexHandle index, long n, float* x, long* ids, int threads);

    [LibraryImport(LibraryName)]
    public static unsafe partial int rag_faiss_search(FaissIndexHandle index, long n, float* x, long k, float* distances, long* labels, int threads);

    [LibraryImport(LibraryName)]
    public static unsafe partial int rag_faiss_remove_ids(FaissIndexHandle index, long* ids, long n, out long removed);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rag_faiss_set_parameter(FaissIndexHandle index, string name, double value);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rag_faiss_get_parameter(FaissIndexHandle index, string name, out double value);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rag_faiss_write(FaissIndexHandle index, string path);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rag_faiss_read(string path, out IntPtr index);

    [LibraryImport(LibraryName)]
    public static partial int rag_faiss_omp_max_threads();

    [LibraryImport(LibraryName)]
    public static partial void rag_faiss_set_blas_threshold(int threshold);

    /// <summary>Throws <see cref="FaissException"/> with the shim's thread-local message when <paramref name="code"/> is an error.</summary>
    public static void Check(int code, string operation)
    {
        if (code != 0)
        {
            throw new FaissException($"FAISS {operation} failed: {LastError()}", code);
        }
    }

    public static string LastError() => Marshal.PtrToStringUTF8(rag_faiss_last_error()) ?? "(no message)";
}
