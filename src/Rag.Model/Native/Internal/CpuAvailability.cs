using System.Diagnostics;
using System.Globalization;
using Rag.Model.Serving.Internal;

namespace Rag.Model.Native.Internal;

/// <summary>One reading of <see cref="CpuAvailability"/>.</summary>
/// <param name="FreeCores">Cores this process could use over the last window (idle cores plus what it used itself), or -1 when unknown.</param>
/// <param name="Window">Number of the window the reading comes from; it changes when a new window completes.</param>
internal readonly record struct CpuReading(double FreeCores, long Window);

/// <summary>
/// How many cores this process can actually get, measured over 100 ms windows from the kernel's own accounting:
/// the idle time of the CPUs the process may run on (<c>/proc/stat</c>) plus the CPU time the process used itself
/// (<c>CLOCK_PROCESS_CPUTIME_ID</c>). Whatever other processes took is what is missing. The first reading, before a
/// window has completed, comes from the number of runnable tasks in <c>/proc/loadavg</c>.
/// <para>
/// Also counts the compute threads that decodes of this process hold right now (<see cref="Lease"/>), so that two
/// contexts decoding at once do not both claim the same free cores.
/// </para>
/// This is shared by every context of the process on purpose: the quantity it measures is a property of the machine.
/// Reading it costs a few nanoseconds; once per window one caller re-reads <c>/proc/stat</c> (tens of microseconds),
/// and a caller that finds another one doing so does not wait.
/// </summary>
internal static class CpuAvailability
{
    private static readonly long WindowTicks = Stopwatch.Frequency / 10;
    private static readonly Lock Gate = new();
    private static readonly bool Supported = OperatingSystem.IsLinux() && File.Exists("/proc/stat");
    private static readonly (string[] Lines, int Cpus) Source = Supported ? ChooseLines() : ([], 0);

    private static long s_windowStart;
    private static double s_windowOwnCpu;
    private static ulong s_windowIdle, s_windowTotal;
    private static double s_free = -1;
    private static long s_window;
    private static int s_leased;

    /// <summary>Compute threads held by decodes of this process at this moment.</summary>
    public static int Leased => Volatile.Read(ref s_leased);

    /// <summary>Adds (or, negative, returns) compute threads held by a decode.</summary>
    public static void Lease(int threads) => Interlocked.Add(ref s_leased, threads);

    /// <summary>The latest reading; starts a new window first when the current one is over.</summary>
    public static CpuReading Read()
    {
        if (!Supported)
        {
            return new CpuReading(-1, 0);
        }

        var now = Stopwatch.GetTimestamp();
        if (now - Volatile.Read(ref s_windowStart) >= WindowTicks && Gate.TryEnter())
        {
            try
            {
                Advance(now);
            }
            finally
            {
                Gate.Exit();
            }
        }

        return new CpuReading(Volatile.Read(ref s_free), Volatile.Read(ref s_window));
    }

    private static void Advance(long now)
    {
        if (now - s_windowStart < WindowTicks)
        {
            return;
        }

        if (!TryReadJiffies(out var idle, out var total))
        {
            return;
        }

        var own = ProcessCpuClock.Seconds();
        if (s_windowStart == 0)
        {
            Volatile.Write(ref s_free, FromLoadAverage());
        }
        else if (total > s_windowTotal)
        {
            var seconds = (double)(now - s_windowStart) / Stopwatch.Frequency;
            var idleCores = (double)(idle - s_windowIdle) / (total - s_windowTotal) * Source.Cpus;
            var ownCores = Math.Max(0, own - s_windowOwnCpu) / seconds;
            Volatile.Write(ref s_free, Math.Min(Environment.ProcessorCount, idleCores + ownCores));
        }

        s_windowIdle = idle;
        s_windowTotal = total;
        s_windowOwnCpu = own;
        Volatile.Write(ref s_windowStart, now);
        Interlocked.Increment(ref s_window);
    }

    // Sums idle (idle + iowait) and total (user … steal) jiffies over the chosen /proc/stat lines. Steal counts as busy:
    // a vCPU the hypervisor gave away stalls a compute thread exactly as a competing process does.
    private static bool TryReadJiffies(out ulong idle, out ulong total)
    {
        idle = total = 0;
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var found = 0;
            while (reader.ReadLine() is { } line && line.StartsWith("cpu", StringComparison.Ordinal))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (Array.IndexOf(Source.Lines, fields[0]) < 0 || fields.Length < 9)
                {
                    continue;
                }

                for (var i = 1; i <= 8; i++)
                {
                    var v = ulong.Parse(fields[i], CultureInfo.InvariantCulture);
                    total += v;
                    if (i is 4 or 5)
                    {
                        idle += v;
                    }
                }

                found++;
            }

            return found == Source.Lines.Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return false;
        }
    }

    // The aggregate "cpu" line, or the per-CPU lines of the process's affinity mask when it excludes some CPUs
    // (taskset, cpusets): idle CPUs the process may not run on are no use to it.
    private static (string[] Lines, int Cpus) ChooseLines()
    {
        try
        {
            var cpuLines = File.ReadLines("/proc/stat")
                .TakeWhile(l => l.StartsWith("cpu", StringComparison.Ordinal))
                .Select(l => l[..l.IndexOf(' ', StringComparison.Ordinal)])
                .Where(n => n != "cpu")
                .ToArray();
            if (cpuLines.Length <= 64 && OperatingSystem.IsLinux())
            {
                var mask = (long)Process.GetCurrentProcess().ProcessorAffinity;
                var allowed = cpuLines.Where(n => int.TryParse(n.AsSpan(3), CultureInfo.InvariantCulture, out var i) && (mask & (1L << i)) != 0).ToArray();
                if (allowed.Length > 0 && allowed.Length < cpuLines.Length)
                {
                    return (allowed, allowed.Length);
                }
            }

            return (["cpu"], cpuLines.Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or PlatformNotSupportedException)
        {
            return (["cpu"], Environment.ProcessorCount);
        }
    }

    // /proc/loadavg's fourth field is "runnable/total" right now; the runnable count includes the calling thread.
    private static double FromLoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            var runnable = int.Parse(parts[3].AsSpan(0, parts[3].IndexOf('/', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
            return Math.Clamp(Environment.ProcessorCount - (runnable - 1), 0, Environment.ProcessorCount);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return -1;
        }
    }
}
