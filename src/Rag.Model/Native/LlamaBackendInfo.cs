namespace Rag.Model.Native;

/// <summary>What <see cref="LlamaBackend.Initialize"/> found and loaded.</summary>
/// <param name="NativeDirectory">Directory the CPU libraries came from.</param>
/// <param name="LoadedLibraries">Full paths of every libllama/libggml file mapped into the process.</param>
/// <param name="Devices">ggml devices registered after loading the backends.</param>
/// <param name="SystemInfo">llama_print_system_info(): the CPU features the chosen variant uses.</param>
/// <param name="CudaStatus">Why CUDA was or was not loaded; null when GPU loading was disabled.</param>
public sealed record LlamaBackendInfo(
    string NativeDirectory,
    IReadOnlyList<string> LoadedLibraries,
    IReadOnlyList<LlamaDeviceInfo> Devices,
    string SystemInfo,
    string? CudaStatus)
{
    /// <summary>True when a GPU device was registered.</summary>
    public bool HasGpu => Devices.Any(d => d.Type is LlamaDeviceType.Gpu or LlamaDeviceType.IntegratedGpu);
}

/// <summary>A ggml backend device.</summary>
/// <param name="Name">Device name, e.g. "CPU" or "CUDA0".</param>
/// <param name="Description">Human description, e.g. the CPU model.</param>
/// <param name="Type">Device kind.</param>
/// <param name="TotalMemory">Total memory in bytes as reported by the backend.</param>
/// <param name="FreeMemory">Free memory in bytes as reported by the backend.</param>
public sealed record LlamaDeviceInfo(string Name, string Description, LlamaDeviceType Type, long TotalMemory, long FreeMemory);

/// <summary>ggml_backend_dev_type.</summary>
public enum LlamaDeviceType
{
    /// <summary>CPU using system memory.</summary>
    Cpu = 0,

    /// <summary>GPU with dedicated memory.</summary>
    Gpu = 1,

    /// <summary>Integrated GPU using host memory.</summary>
    IntegratedGpu = 2,

    /// <summary>Accelerator used together with the CPU (BLAS, AMX).</summary>
    Accelerator = 3,

    /// <summary>Meta device wrapping others.</summary>
    Meta = 4,
}
