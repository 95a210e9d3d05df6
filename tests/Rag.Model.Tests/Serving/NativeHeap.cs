using System.Runtime.InteropServices;

namespace Rag.Model.Tests.Serving;

/// <summary>glibc's malloc_trim, so RSS measurements are not inflated by freed-but-cached heap pages.</summary>
internal static partial class NativeHeap
{
    public static void Trim()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                malloc_trim(0);
            }
            catch (EntryPointNotFoundException)
            {
                // Not glibc (e.g. musl): measure without trimming.
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);
}
