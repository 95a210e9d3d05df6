using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Rag.Model.Benchmarks.Internal;

/// <summary>
/// Process CPU time with nanosecond resolution. Process.TotalProcessorTime on Linux reads /proc/self/stat in clock
/// ticks (10 ms), which is coarser than a whole 128-token run on a tiny model; clock_gettime(CLOCK_PROCESS_CPUTIME_ID)
/// is what the C loop uses, so both sides are measured the same way.
/// </summary>
internal static partial class ProcessCpuClock
{
    private const int ClockProcessCpuTimeId = 2;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);

    /// <summary>CPU seconds used by all threads of this process.</summary>
    public static double Seconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockProcessCpuTimeId, out var ts) == 0)
        {
            return ts.Seconds + ts.Nanoseconds * 1e-9;
        }

        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime.TotalSeconds;
    }
}
