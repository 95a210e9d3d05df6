using System.ComponentModel.DataAnnotations;

namespace Rag.Agents.Pal;

/// <summary>Where a PAL program runs.</summary>
public enum PalIsolation
{
    /// <summary>In this process, in the Jint interpreter with its limits (fast; relies on Jint's checks).</summary>
    InProcess,

    /// <summary>In a child process with the same limits plus a GC heap cap, a CPU-time limit and a hard kill at the deadline.</summary>
    Process,
}

/// <summary>Limits of the PAL sandbox (section <c>Rag:Agents:Pal:Sandbox</c>).</summary>
public sealed class PalSandboxOptions
{
    /// <summary>Wall-clock limit for one program in milliseconds. Default 2,000.</summary>
    [Range(10, 600_000)]
    public int TimeoutMs { get; set; } = 2000;

    /// <summary>Memory a program may allocate, in MiB. Default 64.</summary>
    [Range(1, 16_384)]
    public int MemoryMb { get; set; } = 64;

    /// <summary>Most JavaScript statements executed. Default 10,000,000.</summary>
    [Range(100, int.MaxValue)]
    public int MaxStatements { get; set; } = 10_000_000;

    /// <summary>Deepest JavaScript call nesting. Default 256.</summary>
    [Range(4, 10_000)]
    public int MaxRecursion { get; set; } = 256;

    /// <summary>Largest array length. Default 1,000,000.</summary>
    [Range(16, int.MaxValue)]
    public int MaxArraySize { get; set; } = 1_000_000;

    /// <summary>Longest program in characters. Default 65,536.</summary>
    [Range(16, 10_000_000)]
    public int MaxProgramLength { get; set; } = 65_536;

    /// <summary>Deepest bracket nesting in the program text, checked before parsing (the parser recurses). Default 128.</summary>
    [Range(4, 10_000)]
    public int MaxNesting { get; set; } = 128;

    /// <summary>Where programs run. Default <see cref="PalIsolation.InProcess"/>.</summary>
    public PalIsolation Isolation { get; set; } = PalIsolation.InProcess;

    /// <summary>
    /// The worker command line for <see cref="PalIsolation.Process"/>: an executable and its first arguments, to which the
    /// sandbox appends <c>--file F --timeout-ms N --memory-mb N</c>. The worker must print one line, <c>result: VALUE</c>
    /// or <c>error: REASON</c> (the <c>rag pal exec</c> contract). The <c>rag</c> host sets it to itself.
    /// </summary>
    public IList<string> WorkerCommand { get; set; } = [];

    /// <summary>Throws <see cref="ValidationException"/> when a value is out of range.</summary>
    public void Validate() => Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
}
