using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Model.Native;
using Rag.Model.Native.Interop;
using Rag.Model.Native.Internal;

namespace Rag.Model.Lora;

/// <summary>
/// A GGUF LoRA adapter loaded once for a model (<c>llama_adapter_lora_init</c>). Loading never touches the model's
/// weights: requests select adapters and scales per call (<see cref="LoraAdapterSet"/>), so one loaded model serves
/// any mix of adapters. Dispose unloads it; requests that still use it keep it alive until they finish.
/// </summary>
public sealed class LlamaLoraAdapter : IDisposable
{
    private static long s_nextId;
    private readonly SafeLlamaLoraAdapterHandle _handle;
    private int _disposed;

    private LlamaLoraAdapter(SafeLlamaLoraAdapterHandle handle, LlamaModel model, string path, float? alpha)
    {
        _handle = handle;
        Model = model;
        Path = path;
        Alpha = alpha;
        Id = Interlocked.Increment(ref s_nextId);
    }

    /// <summary>The adapter file.</summary>
    public string Path { get; }

    /// <summary>The model the adapter was loaded for.</summary>
    public LlamaModel Model { get; }

    /// <summary>The adapter's <c>adapter.lora.alpha</c>, when the file records one.</summary>
    public float? Alpha { get; }

    /// <summary>Whether <see cref="Dispose"/> has been called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    internal long Id { get; }

    internal SafeLlamaLoraAdapterHandle Handle => _handle;

    /// <summary>Loads a LoRA adapter for <paramref name="model"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="LlamaLoraAdapterException">llama.cpp rejected the file (wrong format, or made for another model).</exception>
    public static LlamaLoraAdapter Load(LlamaModel model, string path, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        logger ??= NullLogger.Instance;
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"LoRA adapter not found: {full}", full);
        }

        CheckFingerprint(model, full);
        using var lease = new HandleLease(model.Handle, nameof(LlamaModel));
        IntPtr adapter;
        IReadOnlyList<string> lines;
        using (var capture = LlamaLog.Capture())
        {
            adapter = LlamaNative.llama_adapter_lora_init(lease.Pointer, full);
            lines = capture.Lines.ToArray();
        }

        if (adapter == IntPtr.Zero)
        {
            var why = string.Join(" | ", lines.Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase)).TakeLast(3));
            if (why.Length == 0)
            {
                why = string.Join(" | ", lines.TakeLast(3));
            }

            throw new LlamaLoraAdapterException(full,
                $"llama.cpp rejected the LoRA adapter {full} for model {model.Path} ({model.Metadata.Architecture}): " +
                $"{(why.Length > 0 ? why.Trim() : "not a LoRA adapter for this model")}. It is not a GGUF LoRA adapter, or it was made for another model: an adapter must come from the same base model (same architecture and tensor shapes).");
        }

        var handle = new SafeLlamaLoraAdapterHandle(adapter, model.Handle);
        var alpha = ReadAlpha(adapter);
        logger.LogInformation("Loaded LoRA adapter {Path} for {Model} (alpha {Alpha})", full, model.Path, alpha);
        return new LlamaLoraAdapter(handle, model, full, alpha);
    }

    /// <summary>Unloads the adapter (deferred while requests still use it). Safe to call twice.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, 1);
        _handle.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{System.IO.Path.GetFileName(Path)}#{Id}";

    // llama.cpp checks the architecture and the tensor shapes only; an adapter trained by Rag also names its base model.
    private static void CheckFingerprint(LlamaModel model, string adapterPath)
    {
        string? recorded;
        try
        {
            using var adapter = Gguf.GgufReader.Open(adapterPath);
            recorded = adapter.GetString(Gguf.LoraAdapterFile.BaseModelFingerprintKey);
        }
        catch (Gguf.GgufFormatException)
        {
            return; // llama.cpp reports what is wrong with the file
        }

        if (recorded is null || !File.Exists(model.Path))
        {
            return;
        }

        using var baseModel = Gguf.GgufReader.Open(model.Path);
        var actual = Gguf.LoraAdapterFile.ComputeFingerprint(baseModel);
        if (!string.Equals(actual, recorded, StringComparison.Ordinal))
        {
            throw new LlamaLoraAdapterException(adapterPath,
                $"The LoRA adapter {adapterPath} was made for another model, not {model.Path} (base-model fingerprint {recorded[..12]}… differs from {actual[..12]}…): load it with the model it was trained on.");
        }
    }

    private static unsafe float? ReadAlpha(IntPtr adapter)
    {
        Span<byte> buf = stackalloc byte[64];
        fixed (byte* b = buf)
        {
            var n = LlamaNative.llama_adapter_meta_val_str(adapter, "adapter.lora.alpha", b, (nuint)buf.Length);
            if (n <= 0)
            {
                return null;
            }

            var s = Encoding.UTF8.GetString(buf[..Math.Min(n, buf.Length - 1)]);
            return float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
        }
    }
}
