using System.ComponentModel.DataAnnotations;

namespace Rag.Model;

/// <summary>
/// Configuration section <c>Rag:Model</c>: which chat model to load and how to run it. Validated on start by
/// <see cref="Validate"/> (through <c>AddRagModel</c>).
/// </summary>
public sealed class LlamaModelOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Rag:Model";

    /// <summary>Environment variable consulted when <see cref="ChatModelPath"/> is empty.</summary>
    public const string ChatModelEnvironmentVariable = "RAG_CHAT_MODEL";

    /// <summary>GGUF chat/generation model. When empty: $RAG_CHAT_MODEL.</summary>
    public string? ChatModelPath { get; set; }

    /// <summary>llama.cpp native library directory; null = $RAG_LLAMA_NATIVE_DIR or the upward search for .native/llama/linux-x64.</summary>
    public string? NativeLibraryPath { get; set; }

    /// <summary>Decode threads (default: half the logical processors, at least 1).</summary>
    [Range(1, 1024)]
    public int Threads { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Context size per context (default 4096).</summary>
    [Range(16, 1 << 20)]
    public int ContextSize { get; set; } = 4096;

    /// <summary>Decode batch size (default 512).</summary>
    [Range(1, 1 << 16)]
    public int BatchSize { get; set; } = 512;

    /// <summary>GPU layers: -1 = all (default), 0 = CPU only.</summary>
    [Range(-1, 100_000)]
    public int GpuLayers { get; set; } = -1;

    /// <summary>Load a GPU backend when a driver is present (default true).</summary>
    public bool EnableGpu { get; set; } = true;

    /// <summary>The chat model path after applying the environment fallback.</summary>
    public string? ResolveChatModelPath() =>
        !string.IsNullOrWhiteSpace(ChatModelPath) ? ChatModelPath : Environment.GetEnvironmentVariable(ChatModelEnvironmentVariable);

    /// <summary>Returns validation errors (empty when valid). A missing model file is an error; no model configured is not.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), errors, validateAllProperties: true);
        var list = errors.Select(e => e.ErrorMessage ?? "invalid").ToList();
        var path = ResolveChatModelPath();
        if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
        {
            list.Add($"ChatModelPath '{path}' does not exist.");
        }

        if (NativeLibraryPath is not null && !Directory.Exists(NativeLibraryPath))
        {
            list.Add($"NativeLibraryPath '{NativeLibraryPath}' does not exist.");
        }

        return list;
    }
}
