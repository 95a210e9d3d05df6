using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Model.Native;
using Rag.Model.Native.Interop;
using Rag.Model.Native.Internal;

namespace Rag.Model.Quantization;

/// <summary>Target formats for <see cref="LlamaQuantizer"/> (values are llama.cpp's llama_ftype).</summary>
public enum LlamaQuantizationType
{
    /// <summary>All tensors F32.</summary>
    F32 = 0,

    /// <summary>F16 (1-D tensors stay F32).</summary>
    F16 = 1,

    /// <summary>Q4_0.</summary>
    Q4_0 = 2,

    /// <summary>Q4_1.</summary>
    Q4_1 = 3,

    /// <summary>Q8_0.</summary>
    Q8_0 = 7,

    /// <summary>Q5_0.</summary>
    Q5_0 = 8,

    /// <summary>Q5_1.</summary>
    Q5_1 = 9,

    /// <summary>Q2_K.</summary>
    Q2_K = 10,

    /// <summary>Q3_K_M.</summary>
    Q3_K_M = 12,

    /// <summary>Q4_K_S.</summary>
    Q4_K_S = 14,

    /// <summary>Q4_K_M.</summary>
    Q4_K_M = 15,

    /// <summary>Q5_K_S.</summary>
    Q5_K_S = 16,

    /// <summary>Q5_K_M.</summary>
    Q5_K_M = 17,

    /// <summary>Q6_K.</summary>
    Q6_K = 18,

    /// <summary>BF16.</summary>
    BF16 = 32,
}

/// <summary>Settings for a quantization.</summary>
public sealed class LlamaQuantizeOptions
{
    /// <summary>Target format (default Q8_0).</summary>
    public LlamaQuantizationType Type { get; set; } = LlamaQuantizationType.Q8_0;

    /// <summary>Worker threads; 0 = all hardware threads (default 0).</summary>
    public int Threads { get; set; }

    /// <summary>Allow re-quantizing tensors that are already quantized.</summary>
    public bool AllowRequantize { get; set; }

    /// <summary>Quantize output.weight too (default true).</summary>
    public bool QuantizeOutputTensor { get; set; } = true;

    /// <summary>Use the target type for every tensor (no K-quant mixtures).</summary>
    public bool Pure { get; set; }

    /// <summary>Throws for invalid values.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Threads);
        if (!Enum.IsDefined(Type))
        {
            throw new ArgumentOutOfRangeException(nameof(Type), Type, "Unknown quantization type.");
        }
    }
}

/// <summary>Progress of a quantization: <see cref="TensorIndex"/> of <see cref="TensorCount"/> tensors has started.</summary>
/// <param name="TensorIndex">1-based index of the tensor being written (0 = starting, equal to count = finished).</param>
/// <param name="TensorCount">Number of tensors (0 until known).</param>
/// <param name="TensorName">Tensor name, when known.</param>
public readonly record struct LlamaQuantizeProgress(int TensorIndex, int TensorCount, string? TensorName);

/// <summary>
/// Quantizes a GGUF model through <c>llama_model_quantize</c>.
/// The C API has no progress callback, so progress is taken from the one line llama.cpp logs per tensor
/// ("[  i/  n] name …"), which arrives on the calling thread through our log hook; a report is made at start, per
/// tensor and at the end. The C API cannot be interrupted either: cancellation is honoured before the native call
/// starts, and afterwards only by deleting the output once the call returns.
/// </summary>
public static partial class LlamaQuantizer
{
    /// <summary>Quantizes <paramref name="input"/> into <paramref name="output"/>.</summary>
    /// <exception cref="FileNotFoundException">The input does not exist.</exception>
    /// <exception cref="InvalidOperationException">llama.cpp reported a failure (its log is quoted).</exception>
    public static unsafe void Quantize(string input, string output, LlamaQuantizeOptions options, IProgress<LlamaQuantizeProgress>? progress = null,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        logger ??= NullLogger.Instance;
        if (!File.Exists(input))
        {
            throw new FileNotFoundException($"Model file not found: {input}", input);
        }

        LlamaBackend.EnsureInitialized();
        cancellationToken.ThrowIfCancellationRequested();

        var p = LlamaNative.llama_model_quantize_default_params();
        p.ftype = (int)options.Type;
        p.nthread = options.Threads;
        p.allow_requantize = options.AllowRequantize ? (byte)1 : (byte)0;
        p.quantize_output_tensor = options.QuantizeOutputTensor ? (byte)1 : (byte)0;
        p.pure = options.Pure ? (byte)1 : (byte)0;

        var total = 0;
        progress?.Report(new LlamaQuantizeProgress(0, 0, null));
        uint rc;
        IReadOnlyList<string> errors;
        using (var capture = LlamaLog.Capture())
        using (LlamaLog.Listen(line =>
               {
                   var m = TensorLine().Match(line);
                   if (m.Success)
                   {
                       var i = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                       total = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                       progress?.Report(new LlamaQuantizeProgress(i, total, m.Groups[3].Value));
                   }
               }))
        {
            rc = LlamaNative.llama_model_quantize(input, output, &p);
            errors = capture.Lines.ToArray();
        }

        if (rc != 0)
        {
            throw new InvalidOperationException($"llama_model_quantize failed ({rc}) for {input} → {options.Type}: {string.Join(" | ", errors.TakeLast(4))}");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            File.Delete(output);
            cancellationToken.ThrowIfCancellationRequested();
        }

        progress?.Report(new LlamaQuantizeProgress(total, total, null));
        logger.LogInformation("Quantized {Input} to {Type}: {Size} bytes", input, options.Type, new FileInfo(output).Length);
    }

    /// <summary>Runs <see cref="Quantize"/> on a worker thread.</summary>
    public static Task QuantizeAsync(string input, string output, LlamaQuantizeOptions options, IProgress<LlamaQuantizeProgress>? progress = null,
        ILogger? logger = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Quantize(input, output, options, progress, logger, cancellationToken), cancellationToken);

    /// <summary>Parses a type name such as "Q8_0", "q4_k_m" or "f16".</summary>
    public static LlamaQuantizationType ParseType(string name) =>
        Enum.TryParse<LlamaQuantizationType>(name.Trim(), ignoreCase: true, out var t) && Enum.IsDefined(t)
            ? t
            : throw new ArgumentException($"Unknown quantization type '{name}'. Known: {string.Join(", ", Enum.GetNames<LlamaQuantizationType>())}.", nameof(name));

    [GeneratedRegex(@"^\[\s*(\d+)/\s*(\d+)\]\s+(\S+)")]
    private static partial Regex TensorLine();
}
