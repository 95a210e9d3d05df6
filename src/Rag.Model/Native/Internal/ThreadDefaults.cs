namespace Rag.Model.Native.Internal;

/// <summary>The default compute-thread count of every context type (chat, serving, embeddings).</summary>
internal static class ThreadDefaults
{
    /// <summary>
    /// Every logical processor, at most 8. Measured on the 2-core project machine: two threads decode 1.8x faster than
    /// one on a quiet machine, and with adaptive threads (the default) a busy machine loses nothing against one thread,
    /// because the count drops while other processes hold cores. The cap of 8 is not measured here (no larger machine):
    /// token generation is memory-bound and every extra thread adds barrier waits, which is why llama.cpp's own tools
    /// also default to the physical cores rather than all logical ones.
    /// </summary>
    public static int Threads => Math.Clamp(Environment.ProcessorCount, 1, 8);
}
