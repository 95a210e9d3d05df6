using Microsoft.Extensions.Logging;

namespace Rag.Model.Native;

/// <summary>Settings for loading the llama.cpp native libraries. All members are optional.</summary>
public sealed class LlamaBackendOptions
{
    /// <summary>Environment variable that names the native library directory when <see cref="NativeLibraryPath"/> is not set.</summary>
    public const string NativeDirEnvironmentVariable = "RAG_LLAMA_NATIVE_DIR";

    /// <summary>
    /// Directory holding libllama.v0.5.0.so, libggml*.so and the libggml-cpu-*.so variants. When null: the
    /// <c>RAG_LLAMA_NATIVE_DIR</c> environment variable, then <c>.native/llama/linux-x64</c> searched upward from
    /// the application base directory and from the current directory.
    /// </summary>
    public string? NativeLibraryPath { get; set; }

    /// <summary>
    /// Directory with libggml-cuda.so. When null, <c>.native/llama/linux-x64-cuda</c> next to the CPU directory is used
    /// if it exists. It is only loaded when an NVIDIA driver is present.
    /// </summary>
    public string? CudaLibraryPath { get; set; }

    /// <summary>Whether to load a GPU backend at all (default true; set false to force CPU).</summary>
    public bool EnableGpu { get; set; } = true;

    /// <summary>Lowest level of llama.cpp's own log messages forwarded to the logger (default Warning).</summary>
    public LogLevel NativeLogLevel { get; set; } = LogLevel.Warning;
}
