using Rag.Model.Gguf;

namespace Rag.Training;

/// <summary>Merges a LoRA adapter into its base model: W' = W + scale · (alpha / r) · B A, written as a new GGUF model.</summary>
public static class LoraMerger
{
    /// <summary>
    /// Writes a copy of <paramref name="baseModelPath"/> with the adapter folded into the adapted weights. Metadata and
    /// the other tensors are copied byte for byte; an adapted weight keeps its type when it is F32, F16 or BF16 and is
    /// written as F32 when it was quantized.
    /// </summary>
    /// <returns>The number of weights changed.</returns>
    /// <exception cref="InvalidDataException">The adapter does not fit the model (architecture, fingerprint, names or shapes).</exception>
    public static int Merge(string baseModelPath, string adapterPath, string outputPath, float scale = 1f, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(baseModelPath);
        ArgumentException.ThrowIfNullOrEmpty(adapterPath);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        using var r = GgufReader.Open(baseModelPath);
        var adapter = LoraAdapterFile.Read(adapterPath);
        if (adapter.Architecture != r.GetString("general.architecture"))
        {
            throw new InvalidDataException($"The adapter is for architecture '{adapter.Architecture}', the model is '{r.GetString("general.architecture")}'.");
        }

        if (adapter.BaseModelFingerprint is { } fp && fp != LoraAdapterFile.ComputeFingerprint(r))
        {
            throw new InvalidDataException($"The adapter {adapterPath} was made for another model than {baseModelPath}.");
        }

        var byName = adapter.Tensors.ToDictionary(t => t.BaseName, StringComparer.Ordinal);
        foreach (var t in adapter.Tensors)
        {
            var w = r.FindTensor(t.BaseName) ?? throw new InvalidDataException($"The model has no tensor '{t.BaseName}' that the adapter changes.");
            if (w.Dimensions.Count != 2 || w.Dimensions[0] != t.InputSize || w.Dimensions[1] != t.OutputSize)
            {
                throw new InvalidDataException($"'{t.BaseName}' is {w.ShapeText} in the model but [{t.InputSize}, {t.OutputSize}] in the adapter.");
            }
        }

        var tmp = outputPath + ".tmp";
        using (var w = new GgufWriter(new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20), r.Alignment))
        {
            foreach (var (key, value) in r.Metadata)
            {
                if (key != GgufReader.AlignmentKey)
                {
                    w.SetValue(key, value);
                }
            }

            foreach (var t in r.Tensors)
            {
                var type = byName.ContainsKey(t.Name) && t.Type is not (GgmlType.F32 or GgmlType.F16 or GgmlType.BF16) ? GgmlType.F32 : t.Type;
                w.AddTensor(t.Name, t.Dimensions, type);
            }

            w.WriteHeader();
            foreach (var t in r.Tensors)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!byName.TryGetValue(t.Name, out var lora))
                {
                    w.WriteTensorData(r.ReadTensorBytes(t));
                    continue;
                }

                var weights = r.ReadTensorFloats(t);
                var s = scale * adapter.Alpha / lora.Rank;
                var row = new float[lora.InputSize];
                for (var o = 0; o < lora.OutputSize; o++)
                {
                    // row o of B·A = Σ_j B[o, j] · A[j, :]
                    Array.Clear(row);
                    for (var j = 0; j < lora.Rank; j++)
                    {
                        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(lora.A, j * lora.InputSize, lora.InputSize), lora.B[(o * lora.Rank) + j] * s, row, row);
                    }

                    var wr = weights.AsSpan(o * lora.InputSize, lora.InputSize);
                    System.Numerics.Tensors.TensorPrimitives.Add(wr, row, wr);
                }

                w.WriteTensorFloats(weights);
            }

            w.Complete();
        }

        File.Move(tmp, outputPath, overwrite: true);
        return adapter.Tensors.Count;
    }
}
