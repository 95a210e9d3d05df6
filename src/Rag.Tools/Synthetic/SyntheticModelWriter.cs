using System.Globalization;
using Rag.Model.Gguf.Internal;
using Rag.Tools.Synthetic.Internal;
using Rag.Model.Gguf;

namespace Rag.Tools.Synthetic;

/// <summary>
/// Writes random-weight GGUF models of real shapes that llama.cpp loads and runs: LLaMA-family decoders
/// (for speed work, where values do not matter but shapes do) and BERT embedding and reranking encoders
/// (so pooling paths run for real). The tensor names and shapes are those llama.cpp's loaders ask for
/// (<c>src/models/llama.cpp</c> and <c>src/models/bert.cpp</c> of the pinned release).
/// </summary>
public static class SyntheticModelWriter
{
    /// <summary>Writes a LLaMA-family model to a file (written to a temporary name first, so a cancelled run leaves no partial model).</summary>
    public static SyntheticModelResult WriteLlama(string path, LlamaShape shape, SyntheticModelOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return WriteToFile(path, stream => WriteLlama(stream, shape, options, progress, cancellationToken) with { Path = path });
    }

    /// <summary>Writes a LLaMA-family model to a stream.</summary>
    public static SyntheticModelResult WriteLlama(Stream stream, LlamaShape shape, SyntheticModelOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();
        options ??= new SyntheticModelOptions();
        options.Validate();

        var tokenizer = options.Tokenizer ?? GgufTokenizer.ByteFallbackSpm();
        var template = options.ChatTemplate switch
        {
            null => tokenizer.ChatTemplate ?? ChatTemplates.Llama2,
            "" => null,
            var custom => custom,
        };
        tokenizer = tokenizer.WithChatTemplate(template);

        const string arch = "llama";
        using var w = new GgufWriter(stream, leaveOpen: true);
        WriteGeneral(w, arch, shape.Name, options);
        w.SetUInt32($"{arch}.vocab_size", (uint)tokenizer.VocabSize);
        w.SetUInt32($"{arch}.context_length", (uint)shape.ContextLength);
        w.SetUInt32($"{arch}.embedding_length", (uint)shape.EmbeddingLength);
        w.SetUInt32($"{arch}.block_count", (uint)shape.BlockCount);
        w.SetUInt32($"{arch}.feed_forward_length", (uint)shape.FeedForwardLength);
        w.SetUInt32($"{arch}.rope.dimension_count", (uint)shape.HeadDimension);
        w.SetUInt32($"{arch}.attention.head_count", (uint)shape.HeadCount);
        w.SetUInt32($"{arch}.attention.head_count_kv", (uint)shape.HeadCountKv);
        w.SetFloat32($"{arch}.attention.layer_norm_rms_epsilon", shape.RmsNormEpsilon);
        w.SetFloat32($"{arch}.rope.freq_base", shape.RopeFreqBase);
        tokenizer.WriteTo(w);
        WriteExtra(w, options);

        long embd = shape.EmbeddingLength;
        long kv = (long)shape.HeadDimension * shape.HeadCountKv;
        long ff = shape.FeedForwardLength;
        long vocab = tokenizer.VocabSize;
        var t = options.WeightType;
        var std = options.WeightStd;
        var plans = new List<TensorPlan>
        {
            TensorPlan.Random("token_embd.weight", t, std, embd, vocab),
            TensorPlan.Ones("output_norm.weight", embd),
        };
        if (!shape.TieEmbeddings)
        {
            plans.Add(TensorPlan.Random("output.weight", t, std, embd, vocab));
        }

        if (shape.RopeScaling is { } scaling)
        {
            plans.Add(TensorPlan.Explicit("rope_freqs.weight", scaling.ComputeFactors(shape.HeadDimension, shape.RopeFreqBase)));
        }

        for (var i = 0; i < shape.BlockCount; i++)
        {
            var b = $"blk.{i}.";
            plans.Add(TensorPlan.Ones(b + "attn_norm.weight", embd));
            plans.Add(TensorPlan.Random(b + "attn_q.weight", t, std, embd, embd));
            plans.Add(TensorPlan.Random(b + "attn_k.weight", t, std, embd, kv));
            plans.Add(TensorPlan.Random(b + "attn_v.weight", t, std, embd, kv));
            plans.Add(TensorPlan.Random(b + "attn_output.weight", t, std, embd, embd));
            plans.Add(TensorPlan.Ones(b + "ffn_norm.weight", embd));
            plans.Add(TensorPlan.Random(b + "ffn_gate.weight", t, std, embd, ff));
            plans.Add(TensorPlan.Random(b + "ffn_down.weight", t, std, ff, embd));
            plans.Add(TensorPlan.Random(b + "ffn_up.weight", t, std, embd, ff));
        }

        var start = stream.CanSeek ? stream.Position : 0;
        return TensorPlan.WriteAll(w, plans, options.Seed, arch, tokenizer.VocabSize,
            () => stream.CanSeek ? stream.Position - start : -1, null, progress, cancellationToken);
    }

    /// <summary>Writes a BERT embedding model, or a reranker when <see cref="BertShape.Pooling"/> is <see cref="GgufPoolingType.Rank"/>, to a file.</summary>
    public static SyntheticModelResult WriteBert(string path, BertShape shape, SyntheticModelOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return WriteToFile(path, stream => WriteBert(stream, shape, options, progress, cancellationToken) with { Path = path });
    }

    /// <summary>Writes a BERT embedding model or reranker to a stream.</summary>
    public static SyntheticModelResult WriteBert(Stream stream, BertShape shape, SyntheticModelOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();
        options ??= new SyntheticModelOptions();
        options.Validate();
        var tokenizer = options.Tokenizer ?? GgufTokenizer.WordPiece();
        if (tokenizer.Model != "bert")
        {
            throw new ArgumentException($"A BERT model needs a WordPiece tokenizer (tokenizer.ggml.model = bert), not '{tokenizer.Model}'.");
        }

        if (!string.IsNullOrEmpty(options.ChatTemplate))
        {
            throw new ArgumentException("BERT encoders have no chat template.");
        }

        const string arch = "bert";
        using var w = new GgufWriter(stream, leaveOpen: true);
        WriteGeneral(w, arch, shape.Name, options);
        w.SetUInt32($"{arch}.context_length", (uint)shape.ContextLength);
        w.SetUInt32($"{arch}.embedding_length", (uint)shape.EmbeddingLength);
        w.SetUInt32($"{arch}.block_count", (uint)shape.BlockCount);
        w.SetUInt32($"{arch}.feed_forward_length", (uint)shape.FeedForwardLength);
        w.SetUInt32($"{arch}.attention.head_count", (uint)shape.HeadCount);
        w.SetFloat32($"{arch}.attention.layer_norm_epsilon", shape.LayerNormEpsilon);
        w.SetBool($"{arch}.attention.causal", false);
        w.SetUInt32($"{arch}.pooling_type", (uint)shape.Pooling);
        if (shape.IsReranker)
        {
            w.SetStringArray($"{arch}.classifier.output_labels", ["score"]);
        }

        tokenizer.WriteTo(w);
        WriteExtra(w, options);

        long embd = shape.EmbeddingLength;
        long ff = shape.FeedForwardLength;
        var t = options.WeightType;
        var std = options.WeightStd;
        var plans = new List<TensorPlan>
        {
            TensorPlan.Random("token_embd.weight", t, std, embd, tokenizer.VocabSize),
            // F32 because the graph adds a row of it directly to F32 activations, and ggml's CPU add has no F32+F16 kernel.
            TensorPlan.Random("token_types.weight", GgmlType.F32, std, embd, 2),
            TensorPlan.Random("position_embd.weight", t, std, embd, shape.ContextLength),
            TensorPlan.Ones("token_embd_norm.weight", embd),
            TensorPlan.Zeros("token_embd_norm.bias", embd),
        };
        for (var i = 0; i < shape.BlockCount; i++)
        {
            var b = $"blk.{i}.";
            foreach (var m in new[] { "attn_q", "attn_k", "attn_v" })
            {
                plans.Add(TensorPlan.Random($"{b}{m}.weight", t, std, embd, embd));
                plans.Add(TensorPlan.Random($"{b}{m}.bias", GgmlType.F32, std, embd));
            }

            plans.Add(TensorPlan.Random(b + "attn_output.weight", t, std, embd, embd));
            plans.Add(TensorPlan.Random(b + "attn_output.bias", GgmlType.F32, std, embd));
            plans.Add(TensorPlan.Ones(b + "attn_output_norm.weight", embd));
            plans.Add(TensorPlan.Zeros(b + "attn_output_norm.bias", embd));
            plans.Add(TensorPlan.Random(b + "ffn_up.weight", t, std, embd, ff));
            plans.Add(TensorPlan.Random(b + "ffn_up.bias", GgmlType.F32, std, ff));
            plans.Add(TensorPlan.Random(b + "ffn_down.weight", t, std, ff, embd));
            plans.Add(TensorPlan.Random(b + "ffn_down.bias", GgmlType.F32, std, embd));
            plans.Add(TensorPlan.Ones(b + "layer_output_norm.weight", embd));
            plans.Add(TensorPlan.Zeros(b + "layer_output_norm.bias", embd));
        }

        if (shape.IsReranker)
        {
            // A larger scale than the encoder's, so scores of different pairs are spread rather than all near the bias.
            var headStd = Math.Max(std, 0.1f);
            plans.Add(TensorPlan.Random("cls.weight", t, headStd, embd, embd));
            plans.Add(TensorPlan.Random("cls.bias", GgmlType.F32, headStd, embd));
            plans.Add(TensorPlan.Random("cls.output.weight", t, headStd, embd, 1));
            plans.Add(TensorPlan.Random("cls.output.bias", GgmlType.F32, headStd, 1));
        }

        var start = stream.CanSeek ? stream.Position : 0;
        return TensorPlan.WriteAll(w, plans, options.Seed, arch, tokenizer.VocabSize,
            () => stream.CanSeek ? stream.Position - start : -1, null, progress, cancellationToken);
    }

    internal static void WriteGeneral(GgufWriter w, string arch, string name, SyntheticModelOptions options)
    {
        w.SetString("general.architecture", arch);
        w.SetString("general.type", "model");
        w.SetString("general.name", name);
        w.SetString("general.description", string.Create(CultureInfo.InvariantCulture,
            $"Synthetic random weights (seed {options.Seed}, std {options.WeightStd}) written by Rag.Model; not a trained model."));
        w.SetUInt32("general.file_type", options.WeightType switch
        {
            GgmlType.F32 => 0u,
            GgmlType.BF16 => 32u,
            _ => 1u,
        });
    }

    private static void WriteExtra(GgufWriter w, SyntheticModelOptions options)
    {
        foreach (var (key, value) in options.ExtraMetadata)
        {
            w.SetValue(key, value);
        }
    }

    internal static SyntheticModelResult WriteToFile(string path, Func<Stream, SyntheticModelResult> write)
    {
        var full = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        var temp = full + ".partial";
        try
        {
            SyntheticModelResult result;
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                result = write(stream);
            }

            File.Move(temp, full, overwrite: true);
            return result;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
