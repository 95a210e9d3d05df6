namespace Rag.Model;

/// <summary>Settings for <see cref="LlamaModel.Load"/>.</summary>
public sealed class LlamaModelLoadOptions
{
    /// <summary>Layers to offload to the GPU: -1 = all (default; a no-op on CPU-only machines), 0 = none.</summary>
    public int GpuLayers { get; set; } = -1;

    /// <summary>Memory-map the file (default true). Weights are then paged in on demand and shared between processes.</summary>
    public bool UseMmap { get; set; } = true;

    /// <summary>Load only the vocabulary (for tokenization), no weights.</summary>
    public bool VocabOnly { get; set; }

    /// <summary>Validate tensor data while loading (slower).</summary>
    public bool CheckTensors { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for invalid values.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(GpuLayers, -1);
    }
}
