using Rag.Tools.Synthetic.Internal;
using Rag.Model.Gguf;

namespace Rag.Tools.Synthetic;

/// <summary>
/// Writes GGUF LoRA adapters in the layout llama.cpp's <c>llama_adapter_lora_init</c> loads
/// (<c>src/llama-adapter.cpp</c>): <c>general.type = adapter</c>, <c>adapter.type = lora</c>, <c>adapter.lora.alpha</c>,
/// the base model's architecture, and for each adapted weight W with ggml shape [in, out] a pair
/// <c>W.lora_a</c> [in, r] and <c>W.lora_b</c> [r, out], so that W' = W + (alpha / r) · scale · B·A.
/// </summary>
public static class LoraAdapterWriter
{
    /// <summary>Writes a random adapter for the base model at <paramref name="baseModelPath"/>.</summary>
    /// <exception cref="ArgumentException">No tensor of the base model matches the targets.</exception>
    public static SyntheticModelResult Write(string baseModelPath, string path, LoraAdapterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(baseModelPath);
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = GgufReader.Open(baseModelPath);
        return SyntheticModelWriter.WriteToFile(path, s => Write(reader, s, options, cancellationToken) with { Path = path });
    }

    /// <summary>Writes a random adapter for an open base model to a stream.</summary>
    public static SyntheticModelResult Write(GgufReader baseModel, Stream stream, LoraAdapterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new LoraAdapterOptions();
        options.Validate();

        var arch = baseModel.GetString("general.architecture")
            ?? throw new ArgumentException($"Base model '{baseModel.Path}' has no general.architecture.");
        var targets = baseModel.Tensors
            .Where(t => t.Dimensions.Count == 2 && t.Name != "token_embd.weight" && options.Targets.Any(s => t.Name.EndsWith(s, StringComparison.Ordinal)))
            .ToList();
        if (targets.Count == 0)
        {
            throw new ArgumentException(
                $"No 2-D tensor of '{baseModel.Path}' ends with any of [{string.Join(", ", options.Targets)}].");
        }

        var r = options.Rank;
        var tensors = new List<LoraAdapterTensor>();
        long elements = 0;
        foreach (var t in targets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int inSize = checked((int)t.Dimensions[0]), outSize = checked((int)t.Dimensions[1]);
            var a = new float[(long)r * inSize];
            var b = new float[(long)outSize * r];
            new WeightGenerator(options.Seed, t.Name + LoraAdapterFile.ASuffix).Fill(a, options.Std);
            new WeightGenerator(options.Seed, t.Name + LoraAdapterFile.BSuffix).Fill(b, options.Std);
            tensors.Add(new LoraAdapterTensor(t.Name, inSize, outSize, r, a, b));
            elements += a.Length + b.Length;
        }

        var file = new LoraAdapterFile(arch, options.Alpha ?? options.Rank, tensors)
        {
            Name = options.Name,
            WeightType = options.WeightType,
            BaseModelFingerprint = LoraAdapterFile.ComputeFingerprint(baseModel),
        };
        var start = stream.CanSeek ? stream.Position : 0;
        file.Write(stream);
        return new SyntheticModelResult(null, arch, stream.CanSeek ? stream.Position - start : -1, elements, tensors.Count * 2, 0);
    }
}
