using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Model.Embeddings;
using Rag.Model.Gguf.Conversion.Internal;

using Rag.Model.Quantization;

namespace Rag.Model.Gguf.Conversion;

/// <summary>
/// Converts a BERT-family sentence-embedding model from ONNX (the form sentence-transformers and Hugging Face export, and
/// the form the built-in Rag.Onnx models ship in) to a GGUF file that llama.cpp's <c>bert</c> architecture runs, so
/// <see cref="LlamaEmbedder"/> computes the same vectors as ONNX Runtime.
/// </summary>
/// <remarks>
/// <para>Tensors follow llama.cpp's BERT loader (<c>src/models/bert.cpp</c>): <c>token_embd</c>, <c>token_types</c>,
/// <c>position_embd</c>, <c>token_embd_norm</c>, and per block <c>attn_q|k|v</c>, <c>attn_output</c>,
/// <c>attn_output_norm</c>, <c>ffn_up</c>, <c>ffn_down</c>, <c>layer_output_norm</c>. A linear weight is written as
/// PyTorch's [out, in] (ggml's ne0 = in); exporters store it as MatMul's [in, out], so it is transposed.</para>
/// <para>The vocabulary becomes llama.cpp's WordPiece form: a word-start piece gets the "▁" mark, a <c>##</c> continuation
/// loses its mark, and bracketed specials stay as they are; [PAD], [UNK], [CLS], [SEP] and [MASK] keep their real ids
/// (0, 100, 101, 102, 103 in bert-base-uncased). llama.cpp's WordPiece lower-cases, so only uncased models convert
/// faithfully.</para>
/// </remarks>
public static class OnnxBertConverter
{
    /// <summary>GGUF key of the query prefix (read by <see cref="Embeddings.LlamaEmbeddingGenerator"/>).</summary>
    public const string QueryPrefixKey = "rag.embedding.query_prefix";

    /// <summary>GGUF key of the document prefix.</summary>
    public const string DocumentPrefixKey = "rag.embedding.document_prefix";

    /// <summary>GGUF key of the longest input the model was trained for, when shorter than its position table.</summary>
    public const string MaxTokensKey = "rag.embedding.max_tokens";

    private const string Arch = "bert";
    private const float BertEpsilon = 1e-12f;

    /// <summary>Converts <paramref name="source"/> into <paramref name="outputPath"/> (written under a temporary name, then renamed).</summary>
    /// <exception cref="OnnxConversionException">The model is not ONNX, not a BERT encoder, or does not match its vocabulary.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static OnnxBertConversionResult Convert(OnnxBertSource source, string outputPath, OnnxBertConversionOptions? options = null,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(source.Name);
        options ??= new OnnxBertConversionOptions();
        options.Validate();
        logger ??= NullLogger.Instance;
        if (source.Pooling is not (LlamaPoolingType.Mean or LlamaPoolingType.Cls or LlamaPoolingType.Last))
        {
            throw new ArgumentException($"A sentence-embedding model pools with mean, cls or last, not {source.Pooling}.", nameof(source));
        }

        var graph = OnnxGraph.Parse(source.Model);
        var weights = BertWeights.Find(graph);
        int heads = options.HeadCount ?? weights.InferredHeadCount ?? throw new OnnxConversionException(
            "the number of attention heads could not be read from the graph; give it (HeadCount, or --heads N)");
        if (weights.EmbeddingLength % heads != 0)
        {
            throw new OnnxConversionException($"{heads} heads do not divide the hidden size {weights.EmbeddingLength}");
        }

        float epsilon = options.LayerNormEpsilon ?? weights.InferredLayerNormEpsilon ?? BertEpsilon;
        var vocabulary = WordPieceVocabulary.From(source.Vocabulary, weights.VocabularySize);
        var plans = Plan(weights, options.Type == LlamaQuantizationType.F16);
        cancellationToken.ThrowIfCancellationRequested();

        var full = Path.GetFullPath(outputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        bool quantize = options.Type is not (LlamaQuantizationType.F32 or LlamaQuantizationType.F16);
        var written = full + (quantize ? ".f32.partial" : ".partial");
        try
        {
            using (var stream = new FileStream(written, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            using (var writer = new GgufWriter(stream, leaveOpen: true))
            {
                WriteMetadata(writer, source, weights, heads, epsilon, vocabulary, options.Type == LlamaQuantizationType.F16);
                foreach (var plan in plans)
                {
                    writer.AddTensor(plan.Name, plan.Dimensions, plan.Type);
                }

                writer.WriteHeader();
                foreach (var plan in plans)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    writer.WriteTensorFloats(plan.Values());
                }

                writer.Complete();
            }

            if (quantize)
            {
                var quantized = full + ".partial";
                try
                {
                    LlamaQuantizer.Quantize(written, quantized,
                        new LlamaQuantizeOptions { Type = options.Type, Threads = options.QuantizeThreads }, logger: logger, cancellationToken: cancellationToken);
                    File.Move(quantized, full, overwrite: true);
                }
                finally
                {
                    File.Delete(quantized);
                }
            }
            else
            {
                File.Move(written, full, overwrite: true);
            }
        }
        finally
        {
            File.Delete(written);
        }

        var result = new OnnxBertConversionResult(
            full, source.Name, options.Type, new FileInfo(full).Length, plans.Count, plans.Sum(p => p.Dimensions.Aggregate(1L, (a, d) => a * d)),
            weights.VocabularySize, weights.Layers, weights.EmbeddingLength, heads, weights.FeedForwardLength, weights.ContextLength,
            source.Pooling, epsilon, graph.Producer);
        logger.LogInformation("Converted {Name} ({Producer}) to {Path}: {Type}, {Layers} layers, {Dim} dimensions, {Bytes} bytes",
            source.Name, graph.Producer, full, options.Type, weights.Layers, weights.EmbeddingLength, result.FileSizeBytes);
        return result;
    }

    private static void WriteMetadata(GgufWriter w, OnnxBertSource source, BertWeights weights, int heads, float epsilon,
        WordPieceVocabulary vocabulary, bool f16)
    {
        w.SetString("general.architecture", Arch);
        w.SetString("general.type", "model");
        w.SetString("general.name", source.Name);
        w.SetString("general.description", "Sentence-embedding model converted from ONNX by Rag (OnnxBertConverter).");
        if (!string.IsNullOrEmpty(source.License))
        {
            w.SetString("general.license", source.License);
        }

        w.SetUInt32("general.file_type", f16 ? 1u : 0u);
        w.SetUInt32($"{Arch}.context_length", (uint)weights.ContextLength);
        w.SetUInt32($"{Arch}.embedding_length", (uint)weights.EmbeddingLength);
        w.SetUInt32($"{Arch}.block_count", (uint)weights.Layers);
        w.SetUInt32($"{Arch}.feed_forward_length", (uint)weights.FeedForwardLength);
        w.SetUInt32($"{Arch}.attention.head_count", (uint)heads);
        w.SetFloat32($"{Arch}.attention.layer_norm_epsilon", epsilon);
        w.SetBool($"{Arch}.attention.causal", false);
        w.SetUInt32($"{Arch}.pooling_type", (uint)source.Pooling);

        w.SetString("tokenizer.ggml.model", "bert");
        w.SetStringArray("tokenizer.ggml.tokens", vocabulary.Tokens);
        w.SetArray("tokenizer.ggml.scores", Enumerable.Repeat(0f, vocabulary.Tokens.Count));
        w.SetArray("tokenizer.ggml.token_type", vocabulary.TokenTypes);
        w.SetUInt32("tokenizer.ggml.token_type_count", (uint)weights.TokenTypes);
        w.SetUInt32("tokenizer.ggml.padding_token_id", (uint)vocabulary.Pad);
        w.SetUInt32("tokenizer.ggml.unknown_token_id", (uint)vocabulary.Unknown);
        w.SetUInt32("tokenizer.ggml.bos_token_id", (uint)vocabulary.Cls);
        w.SetUInt32("tokenizer.ggml.cls_token_id", (uint)vocabulary.Cls);
        w.SetUInt32("tokenizer.ggml.seperator_token_id", (uint)vocabulary.Sep); // llama.cpp's spelling
        w.SetUInt32("tokenizer.ggml.mask_token_id", (uint)vocabulary.Mask);
        w.SetBool("tokenizer.ggml.add_bos_token", true);
        w.SetBool("tokenizer.ggml.add_sep_token", true);

        if (source.QueryPrefix.Length > 0)
        {
            w.SetString(QueryPrefixKey, source.QueryPrefix);
        }

        if (source.DocumentPrefix.Length > 0)
        {
            w.SetString(DocumentPrefixKey, source.DocumentPrefix);
        }

        if (source.MaxTokens is { } max && max < weights.ContextLength)
        {
            w.SetUInt32(MaxTokensKey, (uint)max);
        }
    }

    private static List<TensorWrite> Plan(BertWeights weights, bool f16)
    {
        int hidden = weights.EmbeddingLength, ff = weights.FeedForwardLength;
        var matrix = f16 ? GgmlType.F16 : GgmlType.F32;
        var plans = new List<TensorWrite>
        {
            Table("token_embd.weight", weights.Get("embeddings.word_embeddings.weight"), hidden, matrix),
            // F32 whatever the file type: the graph adds its row to F32 activations, and ggml's CPU add has no F32 + F16 kernel.
            Table("token_types.weight", weights.Get("embeddings.token_type_embeddings.weight"), hidden, GgmlType.F32),
            Table("position_embd.weight", weights.Get("embeddings.position_embeddings.weight"), hidden, matrix),
            Vector("token_embd_norm.weight", weights.Get("embeddings.LayerNorm.weight"), hidden),
            Vector("token_embd_norm.bias", weights.Get("embeddings.LayerNorm.bias"), hidden),
        };
        for (int i = 0; i < weights.Layers; i++)
        {
            string hf = $"encoder.layer.{i}.", gguf = $"blk.{i}.";
            void Linear(string ggufName, string hfName, int inputs, int outputs)
            {
                plans.Add(Matrix(gguf + ggufName + ".weight", weights.Get(hf + hfName + ".weight"), inputs, outputs, matrix));
                plans.Add(Vector(gguf + ggufName + ".bias", weights.Get(hf + hfName + ".bias"), outputs));
            }

            void Norm(string ggufName, string hfName)
            {
                plans.Add(Vector(gguf + ggufName + ".weight", weights.Get(hf + hfName + ".weight"), hidden));
                plans.Add(Vector(gguf + ggufName + ".bias", weights.Get(hf + hfName + ".bias"), hidden));
            }

            Linear("attn_q", "attention.self.query", hidden, hidden);
            Linear("attn_k", "attention.self.key", hidden, hidden);
            Linear("attn_v", "attention.self.value", hidden, hidden);
            Linear("attn_output", "attention.output.dense", hidden, hidden);
            Norm("attn_output_norm", "attention.output.LayerNorm");
            Linear("ffn_up", "intermediate.dense", hidden, ff);
            Linear("ffn_down", "output.dense", ff, hidden);
            Norm("layer_output_norm", "output.LayerNorm");
        }

        return plans;
    }

    private static TensorWrite Table(string name, BertParameter p, int hidden, GgmlType type)
    {
        if (p.Tensor.Dims is not [var rows, var width] || width != hidden)
        {
            throw Shape(p, $"[rows, {hidden}]");
        }

        return new TensorWrite(name, [hidden, rows], type, p.Tensor.ToFloats);
    }

    private static TensorWrite Vector(string name, BertParameter p, int length)
    {
        if (p.Tensor.ElementCount != length || p.Tensor.Dims.Length != 1)
        {
            throw Shape(p, $"[{length}]");
        }

        return new TensorWrite(name, [length], GgmlType.F32, p.Tensor.ToFloats);
    }

    private static TensorWrite Matrix(string name, BertParameter p, int inputs, int outputs, GgmlType type)
    {
        long[] expected = p.StoredInputMajor ? [inputs, outputs] : [outputs, inputs];
        if (!p.Tensor.Dims.SequenceEqual(expected))
        {
            throw Shape(p, $"[{string.Join(", ", expected)}]");
        }

        return new TensorWrite(name, [inputs, outputs], type, () =>
        {
            var values = p.Tensor.ToFloats();
            return p.StoredInputMajor ? Transpose(values, inputs, outputs) : values;
        });
    }

    /// <summary>[rows][columns] row-major to [columns][rows] row-major.</summary>
    private static float[] Transpose(float[] values, int rows, int columns)
    {
        var result = new float[values.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                result[(c * rows) + r] = values[(r * columns) + c];
            }
        }

        return result;
    }

    private static OnnxConversionException Shape(BertParameter p, string expected) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"tensor '{p.Tensor.Name}' has shape [{string.Join(", ", p.Tensor.Dims)}], expected {expected}: the model is not a BERT encoder of the shape its embeddings imply"));

    private sealed record TensorWrite(string Name, long[] Dimensions, GgmlType Type, Func<float[]> Values);
}
