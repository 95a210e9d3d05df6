using System.Runtime.InteropServices;

namespace Rag.Model.Serving.Internal;

/// <summary>
/// Process CPU time (all threads) from clock_gettime(CLOCK_PROCESS_CPUTIME_ID) on Linux: a vDSO call cheap enough to
/// read around every decode step, so throughput can be reported per CPU-second on machines shared with other jobs.
/// </summary>
internal static partial class ProcessCpuClock
{
    private const int ClockProcessCpuTimeId = 2;
    private static readonly bool Available = OperatingSystem.IsLinux();

    /// <summary>CPU seconds used by this process so far, or 0 where unavailable.</summary>
    public static double Seconds()
    {
        if (!Available)
        {
            return 0;
        }

        return clock_gettime(ClockProcessCpuTimeId, out var ts) == 0 ? ts.Seconds + ts.Nanoseconds * 1e-9 : 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int clock_gettime(int clock, out TimeSpec ts);
}
