using Rag.Model.Native.Interop;

namespace Rag.Model.Native.Internal;

/// <summary>
/// The compute threads of one context: a persistent CPU thread pool, and the choice, before every decode, of how many
/// of its threads to use.
/// <para>
/// Why the choice matters: inside a graph, ggml's CPU threads meet at a barrier after every operation (hundreds per
/// token), and in the npm build that barrier is a pure spin (<c>ggml_barrier</c>: <c>_mm_pause</c>, no yield, no sleep,
/// whatever the pool's <c>poll</c> setting). When another process takes a core, one of our threads is descheduled
/// while the others spin at the next barrier for the rest of their time slice, so N threads advance only while all N
/// happen to be running. With one busy process on two cores that is about a third of the time, which is why two
/// threads fell to about half of one thread. OpenMP builds (LLamaSharp's) degrade less because libgomp's barrier
/// sleeps after a bounded spin, but they still lose to one thread.
/// </para>
/// <para>
/// So with <see cref="Adaptive"/> on, each decode uses as many threads as there are cores this process can actually
/// get (<see cref="CpuAvailability"/>, measured over 100 ms windows), at most the configured count: a core counts when
/// at least 70 % of it was free, a drop takes effect at the next decode, and a rise only after two windows agree.
/// At one thread the pool is detached, so a decode runs exactly as a 1-thread context does, with no worker to wake.
/// </para>
/// Used by one decoding thread at a time (a context has one caller); counters may be read from any thread.
/// </summary>
internal sealed class ContextThreads
{
    // A core whose time was at least 70 % free is worth a thread: with a competitor on it for a fraction f of the time,
    // N threads progress only while all run, and the measured two-thread speed-up (about 1.85x) beats one thread only
    // while f stays below about 0.45; 0.3 keeps a margin for the burstiness of real competitors.
    private const double CoreMargin = 0.3;

    private readonly List<SafeGgmlThreadPoolHandle> _pools = [];
    private SafeGgmlThreadPoolHandle? _pool;
    private bool _attached;
    private int _current;
    private int _votes;
    private long _voteWindow = -1;
    private long _decodes;
    private long _reducedDecodes;

    private ContextThreads(int threads, int batchThreads, bool adaptive)
    {
        Threads = threads;
        BatchThreads = batchThreads;
        Adaptive = adaptive;
        _current = Max;
    }

    /// <summary>Configured threads for single-token decodes.</summary>
    public int Threads { get; private set; }

    /// <summary>Configured threads for multi-token batches (prompts, batched steps).</summary>
    public int BatchThreads { get; private set; }

    /// <summary>True when the thread count follows the free cores.</summary>
    public bool Adaptive { get; }

    /// <summary>Threads the latest decode used (before the first decode: the configured count).</summary>
    public int Current => Volatile.Read(ref _current);

    /// <summary>Decodes run.</summary>
    public long Decodes => Volatile.Read(ref _decodes);

    /// <summary>Decodes that ran with fewer threads than configured because other processes held cores.</summary>
    public long ReducedDecodes => Volatile.Read(ref _reducedDecodes);

    /// <summary>The pool in use, or null at one configured thread or without the pool API.</summary>
    internal SafeGgmlThreadPoolHandle? Pool => _pool;

    private int Max => Math.Max(Threads, BatchThreads);

    /// <summary>Creates the threads of a new context and attaches the pool when more than one thread is configured.</summary>
    public static ContextThreads Create(IntPtr ctx, int threads, int batchThreads, bool adaptive)
    {
        var t = new ContextThreads(threads, batchThreads, adaptive);
        t.EnsurePool(ctx);
        t.Apply(ctx, t.Max);
        return t;
    }

    /// <summary>Chooses and applies the thread count for the next decode; returns the threads to pass to <see cref="Exit"/>.</summary>
    public int Enter(IntPtr ctx)
    {
        var max = Max;
        var target = max;
        if (Adaptive && max > 1)
        {
            var reading = CpuAvailability.Read();
            if (reading.FreeCores >= 0)
            {
                target = Choose(reading.FreeCores, CpuAvailability.Leased, max);
                if (target > _current)
                {
                    if (reading.Window != _voteWindow)
                    {
                        _voteWindow = reading.Window;
                        _votes++;
                    }

                    if (_votes < 2)
                    {
                        target = _current;
                    }
                }
                else
                {
                    _votes = 0;
                }
            }
        }

        if (target != _current)
        {
            _votes = 0;
            Apply(ctx, target);
        }

        Interlocked.Increment(ref _decodes);
        if (target < max)
        {
            Interlocked.Increment(ref _reducedDecodes);
        }

        CpuAvailability.Lease(target);
        return target;
    }

    /// <summary>Threads worth using when <paramref name="freeCores"/> were free and other decodes of this process hold <paramref name="leased"/> threads now.</summary>
    internal static int Choose(double freeCores, int leased, int max) => Math.Clamp((int)Math.Floor(freeCores - leased + CoreMargin), 1, max);

    /// <summary>Returns the threads taken by <see cref="Enter"/>.</summary>
    public static void Exit(int threads) => CpuAvailability.Lease(-threads);

    /// <summary>Changes the configured counts (a larger count than the pool has gets a new pool).</summary>
    public void Reconfigure(IntPtr ctx, int threads, int batchThreads)
    {
        Threads = threads;
        BatchThreads = batchThreads;
        EnsurePool(ctx);
        Apply(ctx, Max);
    }

    /// <summary>Frees the pools; call only after the context itself was freed (the CPU backend keeps the pointer).</summary>
    public void ReleasePools()
    {
        foreach (var p in _pools)
        {
            p.Dispose();
        }

        _pools.Clear();
        _pool = null;
    }

    private void EnsurePool(IntPtr ctx)
    {
        if (Max < 2 || (_pool is not null && _pool.Threads >= Max))
        {
            return;
        }

        // A replaced pool stays alive until the context is freed: the CPU backend still points at it until its next
        // graph, where it pauses it.
        var pool = SafeGgmlThreadPoolHandle.TryCreate(Max);
        if (pool is null)
        {
            return;
        }

        _pools.Add(pool);
        _pool = pool;
        if (_attached)
        {
            LlamaNative.llama_attach_threadpool(ctx, pool.DangerousGetHandle(), pool.DangerousGetHandle());
        }
    }

    private void Apply(IntPtr ctx, int threads)
    {
        var n = Math.Min(Threads, threads);
        var nb = Math.Min(BatchThreads, threads);
        var attach = _pool is not null && Math.Max(n, nb) > 1;
        if (attach != _attached)
        {
            if (attach)
            {
                LlamaNative.llama_attach_threadpool(ctx, _pool!.DangerousGetHandle(), _pool.DangerousGetHandle());
            }
            else
            {
                LlamaNative.llama_detach_threadpool(ctx);
            }

            _attached = attach;
        }

        LlamaNative.llama_set_n_threads(ctx, n, nb);
        Volatile.Write(ref _current, threads);
    }
}
