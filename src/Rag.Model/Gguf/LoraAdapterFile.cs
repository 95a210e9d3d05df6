namespace Rag.Model.Gguf;

/// <summary>
/// One adapted weight of a LoRA adapter. For a base weight W with ggml shape [in, out] (out rows of in values),
/// <c>A</c> has ggml shape [in, r] (r rows of in values) and <c>B</c> has ggml shape [r, out] (out rows of r values),
/// so that llama.cpp computes W' x = W x + (alpha / r) · scale · B (A x).
/// </summary>
/// <param name="BaseName">The base tensor name, e.g. <c>blk.0.attn_q.weight</c>.</param>
/// <param name="InputSize">Columns of W (ggml ne0).</param>
/// <param name="OutputSize">Rows of W (ggml ne1).</param>
/// <param name="Rank">The rank r.</param>
/// <param name="A">r × in values, row-major.</param>
/// <param name="B">out × r values, row-major.</param>
public sealed record LoraAdapterTensor(string BaseName, int InputSize, int OutputSize, int Rank, float[] A, float[] B)
{
    /// <summary>The name of the A tensor in the file.</summary>
    public string AName => BaseName + LoraAdapterFile.ASuffix;

    /// <summary>The name of the B tensor in the file.</summary>
    public string BName => BaseName + LoraAdapterFile.BSuffix;
}

/// <summary>
/// A GGUF LoRA adapter in the layout llama.cpp's <c>llama_adapter_lora_init</c> loads (<c>src/llama-adapter.cpp</c>):
/// <c>general.type = adapter</c>, <c>adapter.type = lora</c>, <c>adapter.lora.alpha</c>, the base model's
/// <c>general.architecture</c>, and a pair of tensors <c>&lt;base&gt;.lora_a</c> / <c>&lt;base&gt;.lora_b</c> per adapted weight.
/// Rag also records the base model's fingerprint (<see cref="BaseModelFingerprintKey"/>) so that an adapter is refused
/// on a different model even when the shapes happen to match.
/// </summary>
public sealed class LoraAdapterFile
{
    /// <summary>Suffix of the A tensors.</summary>
    public const string ASuffix = ".lora_a";

    /// <summary>Suffix of the B tensors.</summary>
    public const string BSuffix = ".lora_b";

    /// <summary>The metadata key holding the LoRA alpha.</summary>
    public const string AlphaKey = "adapter.lora.alpha";

    /// <summary>The metadata key holding the base model's fingerprint (see <see cref="ComputeFingerprint"/>).</summary>
    public const string BaseModelFingerprintKey = "adapter.rag.base_fingerprint";

    /// <summary>Creates an adapter.</summary>
    /// <param name="architecture">The base model's <c>general.architecture</c>.</param>
    /// <param name="alpha">LoRA alpha (llama.cpp scales by alpha / r).</param>
    /// <param name="tensors">The adapted weights.</param>
    public LoraAdapterFile(string architecture, float alpha, IReadOnlyList<LoraAdapterTensor> tensors)
    {
        ArgumentException.ThrowIfNullOrEmpty(architecture);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!(alpha > 0) || float.IsInfinity(alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Alpha must be a positive number.");
        }

        foreach (var t in tensors)
        {
            if (t.Rank <= 0 || t.InputSize <= 0 || t.OutputSize <= 0 || t.A.Length != (long)t.Rank * t.InputSize || t.B.Length != (long)t.OutputSize * t.Rank)
            {
                throw new ArgumentException($"LoRA tensor '{t.BaseName}': A must hold rank × in = {t.Rank} × {t.InputSize} and B out × rank = {t.OutputSize} × {t.Rank} values (A has {t.A.Length}, B {t.B.Length}).", nameof(tensors));
            }
        }

        Architecture = architecture;
        Alpha = alpha;
        Tensors = tensors;
    }

    /// <summary>The base model's architecture.</summary>
    public string Architecture { get; }

    /// <summary>LoRA alpha.</summary>
    public float Alpha { get; }

    /// <summary>The adapted weights.</summary>
    public IReadOnlyList<LoraAdapterTensor> Tensors { get; }

    /// <summary><c>general.name</c>, when set.</summary>
    public string? Name { get; init; }

    /// <summary>The base model's fingerprint, when recorded.</summary>
    public string? BaseModelFingerprint { get; init; }

    /// <summary>Element type of A and B in the file: F32 (default), F16 or BF16.</summary>
    public GgmlType WeightType { get; init; } = GgmlType.F32;

    /// <summary>Whether an open GGUF file is a LoRA adapter.</summary>
    public static bool IsLoraAdapter(GgufReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.GetString("general.type") == "adapter" && reader.GetString("adapter.type") == "lora";
    }

    /// <summary>Reads an adapter file.</summary>
    /// <exception cref="GgufFormatException">The file is not GGUF.</exception>
    /// <exception cref="InvalidDataException">The file is GGUF but not a LoRA adapter, or its tensors do not pair up.</exception>
    public static LoraAdapterFile Read(string path)
    {
        using var r = GgufReader.Open(path);
        return Read(r);
    }

    /// <summary>Reads an adapter from an open GGUF file.</summary>
    /// <exception cref="InvalidDataException">The file is not a LoRA adapter, or its tensors do not pair up.</exception>
    public static LoraAdapterFile Read(GgufReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var where = reader.Path ?? "the stream";
        if (!IsLoraAdapter(reader))
        {
            throw new InvalidDataException($"{where} is not a LoRA adapter (general.type is '{reader.GetString("general.type") ?? "absent"}', adapter.type '{reader.GetString("adapter.type") ?? "absent"}').");
        }

        var arch = reader.GetString("general.architecture") ?? throw new InvalidDataException($"{where} has no general.architecture.");
        var alpha = reader.GetDouble(AlphaKey);
        var tensors = new List<LoraAdapterTensor>();
        var type = GgmlType.F32;
        foreach (var a in reader.Tensors.Where(t => t.Name.EndsWith(ASuffix, StringComparison.Ordinal)))
        {
            var baseName = a.Name[..^ASuffix.Length];
            var b = reader.FindTensor(baseName + BSuffix) ?? throw new InvalidDataException($"{where}: '{a.Name}' has no matching '{baseName}{BSuffix}'.");
            if (a.Dimensions.Count != 2 || b.Dimensions.Count != 2 || a.Dimensions[1] != b.Dimensions[0])
            {
                throw new InvalidDataException($"{where}: '{a.Name}' {a.ShapeText} and '{b.Name}' {b.ShapeText} do not pair up as [in, r] and [r, out].");
            }

            type = a.Type;
            tensors.Add(new LoraAdapterTensor(baseName, checked((int)a.Dimensions[0]), checked((int)b.Dimensions[1]), checked((int)a.Dimensions[1]),
                reader.ReadTensorFloats(a), reader.ReadTensorFloats(b)));
        }

        var orphan = reader.Tensors.FirstOrDefault(t => t.Name.EndsWith(BSuffix, StringComparison.Ordinal) && reader.FindTensor(t.Name[..^BSuffix.Length] + ASuffix) is null);
        if (orphan is not null)
        {
            throw new InvalidDataException($"{where}: '{orphan.Name}' has no matching A tensor.");
        }

        // llama.cpp's default when the key is absent is alpha = 0, which it treats as "scale 1": alpha = rank.
        var rank = tensors.Count > 0 ? tensors[0].Rank : 1;
        return new LoraAdapterFile(arch, alpha is > 0 ? (float)alpha.Value : rank, tensors)
        {
            Name = reader.GetString("general.name"),
            BaseModelFingerprint = reader.GetString(BaseModelFingerprintKey),
            WeightType = type,
        };
    }

    /// <summary>
    /// A fingerprint of a base model: SHA-256 (hex) over its architecture, the names and shapes of its tensors and its
    /// token list. Quantized copies of one model share it (types are left out); another model does not.
    /// </summary>
    public static string ComputeFingerprint(GgufReader baseModel)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        var sb = new System.Text.StringBuilder();
        sb.Append(baseModel.GetString("general.architecture")).Append('\n');
        foreach (var t in baseModel.Tensors.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            sb.Append(t.Name).Append(t.ShapeText).Append('\n');
        }

        if (baseModel.TryGetValue("tokenizer.ggml.tokens", out var tokens) && tokens.RawValue is string[] list)
        {
            foreach (var token in list)
            {
                sb.Append(token).Append('\u0001');
            }
        }

        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sb.ToString())));
    }

    /// <summary>Writes the adapter to a file (replacing it).</summary>
    public void Write(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var tmp = path + ".tmp";
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Write(stream);
        }

        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Writes the adapter to a stream.</summary>
    public void Write(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (WeightType is not (GgmlType.F32 or GgmlType.F16 or GgmlType.BF16))
        {
            throw new InvalidOperationException($"LoRA tensors are written as F32, F16 or BF16, not {WeightType}.");
        }

        using var w = new GgufWriter(stream, leaveOpen: true);
        w.SetString("general.architecture", Architecture);
        w.SetString("general.type", "adapter");
        if (Name is not null)
        {
            w.SetString("general.name", Name);
        }

        w.SetString("adapter.type", "lora");
        w.SetFloat32(AlphaKey, Alpha);
        if (BaseModelFingerprint is not null)
        {
            w.SetString(BaseModelFingerprintKey, BaseModelFingerprint);
        }

        foreach (var t in Tensors)
        {
            w.AddTensor(t.AName, [t.InputSize, t.Rank], WeightType);
            w.AddTensor(t.BName, [t.Rank, t.OutputSize], WeightType);
        }

        w.WriteHeader();
        foreach (var t in Tensors)
        {
            w.WriteTensorFloats(t.A);
            w.WriteTensorFloats(t.B);
        }

        w.Complete();
    }
}
