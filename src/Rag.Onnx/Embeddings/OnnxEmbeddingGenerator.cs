using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Rag.Core.Embeddings;
using Rag.Onnx.Embeddings.Internal;

namespace Rag.Onnx.Embeddings;

/// <summary>
/// Sentence embeddings from a BERT-family ONNX model (<see cref="OnnxEmbeddingModel"/>) through ONNX Runtime:
/// WordPiece (Microsoft.ML.Tokenizers), the encoder, mean or CLS pooling, and L2 normalization. One call's texts are
/// sorted by length and run in batches padded to their longest member; one session serves every call, concurrently.
/// Queries get the model's query prefix when the call says they are queries (<see cref="EmbeddingInput.ForQueries"/>).
/// </summary>
public sealed class OnnxEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private const string InputIdsName = "input_ids";
    private const string AttentionMaskName = "attention_mask";
    private const string TokenTypeIdsName = "token_type_ids";

    private readonly InferenceSession _session;
    private readonly WordPieceEncoder _encoder;
    private readonly string _outputName;
    private readonly bool _takesTokenTypes;
    private readonly int _batchSize;
    private readonly int _maxBatchTokens;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly ILogger _logger;
    private int _disposed;

    /// <summary>Loads <paramref name="model"/> and creates its session.</summary>
    /// <param name="model">The model; see <see cref="OnnxEmbeddingModel.MiniLm"/>, <see cref="OnnxEmbeddingModel.ArcticXs"/> and <see cref="OnnxEmbeddingModel.FromFiles"/>.</param>
    /// <param name="options">Threads and batching (the model settings in it are not applied here: see <see cref="OnnxEmbeddingOptions.ResolveModel"/>).</param>
    /// <param name="logger">Logger.</param>
    /// <exception cref="OnnxModelException">A file is missing or damaged, or the model is not a BERT-style encoder.</exception>
    public OnnxEmbeddingGenerator(OnnxEmbeddingModel model, OnnxEmbeddingOptions? options = null, ILogger<OnnxEmbeddingGenerator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Validate();
        options ??= new OnnxEmbeddingOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Model = model;
        _batchSize = options.BatchSize;
        _maxBatchTokens = Math.Max(options.MaxBatchTokens, model.MaxTokens);
        Threads = options.Threads;

        var sw = Stopwatch.StartNew();
        var (weights, weightsSha256) = model.Weights.Read();
        var (vocabulary, vocabularySha256) = model.Vocabulary.Read();
        _encoder = new WordPieceEncoder(vocabulary, model.LowerCase, model.MaxTokens);
        _session = CreateSession(model, weights, options);
        try
        {
            (_outputName, Dimension) = FindTokenVectors(_session, model);
            _takesTokenTypes = CheckInputs(_session, model);
        }
        catch
        {
            _session.Dispose();
            throw;
        }

        Identity = new EmbeddingModelIdentity(model.ModelId, Dimension, ContentHash(model, weightsSha256, vocabularySha256));
        _metadata = new EmbeddingGeneratorMetadata("onnxruntime", null, model.ModelId, Dimension);
        _logger.LogInformation(
            "ONNX embedder {Model} ({Location}): {Dimension} dimensions, {Pooling} pooling, {MaxTokens} word pieces, {Threads} threads; loaded in {Ms} ms",
            model.ModelId, model.WeightsLocation, Dimension, model.Pooling, model.MaxTokens, Threads == 0 ? "default" : Threads, sw.ElapsedMilliseconds);
    }

    /// <summary>The model.</summary>
    public OnnxEmbeddingModel Model { get; }

    /// <summary>Length of every vector.</summary>
    public int Dimension { get; }

    /// <summary>Intra-op threads of the session (0: ONNX Runtime's choice).</summary>
    public int Threads { get; }

    /// <summary>What decides these vectors: model id, dimension, and a hash of weights, vocabulary and settings.</summary>
    public EmbeddingModelIdentity Identity { get; }

    /// <summary>Provider <c>onnxruntime</c>, the model id and the dimension.</summary>
    public EmbeddingGeneratorMetadata Metadata => _metadata;

    /// <summary>
    /// The word-piece ids the model sees for <paramref name="text"/>: the prefix for <paramref name="kind"/>, then
    /// [CLS] … [SEP], cut to <see cref="OnnxEmbeddingModel.MaxTokens"/>.
    /// </summary>
    public int[] Tokenize(string text, EmbeddingInputKind kind = EmbeddingInputKind.Document)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _encoder.Encode(Prefix(kind) + text);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Mark queries with <see cref="EmbeddingInput.ForQueries"/>. <see cref="EmbeddingGenerationOptions.Dimensions"/>, when
    /// set, must equal <see cref="Dimension"/>. A null text embeds as the empty text.
    /// </remarks>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (options?.Dimensions is { } d && d != Dimension)
        {
            throw new ArgumentException($"{Model.ModelId} makes {Dimension}-dimensional vectors, not {d}.", nameof(options));
        }

        var kind = EmbeddingInput.GetKind(options);
        var texts = values.ToArray();
        var vectors = texts.Length == 0
            ? []
            : await Task.Run(() => Embed(texts, kind, cancellationToken), cancellationToken).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Length);
        long tokens = 0;
        foreach (var (vector, length) in vectors)
        {
            tokens += length;
            result.Add(new Embedding<float>(vector) { ModelId = Model.ModelId, CreatedAt = created });
        }

        result.Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens };
        return result;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return _metadata;
        }

        if (serviceType == typeof(EmbeddingModelIdentity))
        {
            return Identity;
        }

        if (serviceType == typeof(EmbedderIdentity))
        {
            // What the index store records and checks: the content hash changes with weights, vocabulary and settings.
            return new EmbedderIdentity(Identity.ModelId, Identity.ContentHash, Identity.Dimension);
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Releases the session.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _session.Dispose();
        }
    }

    private string Prefix(EmbeddingInputKind kind) => kind == EmbeddingInputKind.Query ? Model.QueryPrefix : Model.DocumentPrefix;

    private (float[] Vector, int Tokens)[] Embed(string[] texts, EmbeddingInputKind kind, CancellationToken cancellationToken)
    {
        string prefix = Prefix(kind);
        var ids = new int[texts.Length][];
        for (int i = 0; i < texts.Length; i++)
        {
            ids[i] = _encoder.Encode(prefix + (texts[i] ?? string.Empty));
        }

        // Longest first, so each batch pads only up to its own longest member and the batch-size cap is set by it.
        var order = Enumerable.Range(0, ids.Length).ToArray();
        Array.Sort(order, (a, b) => ids[b].Length.CompareTo(ids[a].Length) is var c && c != 0 ? c : a.CompareTo(b));
        var results = new (float[] Vector, int Tokens)[texts.Length];
        for (int start = 0; start < order.Length;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int longest = ids[order[start]].Length;
            int count = Math.Min(Math.Min(_batchSize, Math.Max(1, _maxBatchTokens / longest)), order.Length - start);
            RunBatch(ids, order.AsSpan(start, count), longest, results, cancellationToken);
            start += count;
        }

        return results;
    }

    private void RunBatch(int[][] ids, ReadOnlySpan<int> members, int length, (float[] Vector, int Tokens)[] results, CancellationToken cancellationToken)
    {
        int batch = members.Length;
        var inputIds = new long[batch * length];
        var mask = new long[batch * length];
        for (int b = 0; b < batch; b++)
        {
            var row = ids[members[b]];
            var idRow = inputIds.AsSpan(b * length, length);
            idRow.Fill(_encoder.PadId);
            for (int j = 0; j < row.Length; j++)
            {
                idRow[j] = row[j];
            }

            mask.AsSpan(b * length, row.Length).Fill(1);
        }

        long[] shape = [batch, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = _takesTokenTypes ? OrtValue.CreateTensorValueFromMemory(new long[batch * length], shape) : null;
        var names = _takesTokenTypes ? new[] { InputIdsName, AttentionMaskName, TokenTypeIdsName } : [InputIdsName, AttentionMaskName];
        var inputs = _takesTokenTypes ? new[] { idsValue, maskValue, typesValue! } : [idsValue, maskValue];

        using var runOptions = new RunOptions();
        using var cancel = cancellationToken.Register(() => runOptions.Terminate = true);
        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            outputs = _session.Run(runOptions, names, inputs, [_outputName]);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxModelException($"{Model.ModelId} failed on a batch of {batch} texts of {length} word pieces: {e.Message}", e);
        }

        using (outputs)
        {
            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            int dim = Dimension;
            for (int b = 0; b < batch; b++)
            {
                int tokens = ids[members[b]].Length;
                var vector = new float[dim];
                var rows = hidden.Slice(b * length * dim, length * dim);
                if (Model.Pooling == OnnxPooling.Cls)
                {
                    rows[..dim].CopyTo(vector);
                }
                else
                {
                    for (int j = 0; j < tokens; j++)
                    {
                        TensorPrimitives.Add(vector, rows.Slice(j * dim, dim), vector);
                    }

                    TensorPrimitives.Divide(vector, tokens, vector);
                }

                if (Model.Normalize)
                {
                    float norm = TensorPrimitives.Norm(vector);
                    if (norm > 0)
                    {
                        TensorPrimitives.Divide(vector, norm, vector);
                    }
                }

                results[members[b]] = (vector, tokens);
            }
        }
    }

    private static InferenceSession CreateSession(OnnxEmbeddingModel model, byte[] weights, OnnxEmbeddingOptions options)
    {
        var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
            return new InferenceSession(weights, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxModelException($"{model.WeightsLocation} is not a model ONNX Runtime can load: {e.Message}", e);
        }
        finally
        {
            sessionOptions.Dispose();
        }
    }

    private static (string Name, int Dimension) FindTokenVectors(InferenceSession session, OnnxEmbeddingModel model)
    {
        foreach (var (name, meta) in session.OutputMetadata)
        {
            if (meta.ElementType == typeof(float) && meta.Dimensions.Length == 3 && meta.Dimensions[2] > 0)
            {
                return (name, meta.Dimensions[2]);
            }
        }

        var outputs = string.Join(", ", session.OutputMetadata.Select(o => $"{o.Key} [{string.Join(",", o.Value.Dimensions)}]"));
        throw new OnnxModelException(
            $"{model.WeightsLocation} has no token-vector output (float [batch, sequence, dimension]); its outputs are {outputs}. " +
            "Export the encoder's last_hidden_state (for example with optimum's feature-extraction task).");
    }

    private static bool CheckInputs(InferenceSession session, OnnxEmbeddingModel model)
    {
        var inputs = session.InputMetadata;
        foreach (var name in new[] { InputIdsName, AttentionMaskName })
        {
            if (!inputs.TryGetValue(name, out var meta) || meta.ElementType != typeof(long))
            {
                throw new OnnxModelException(
                    $"{model.WeightsLocation} does not take '{name}' as int64; a BERT-style encoder takes input_ids, attention_mask " +
                    $"(and token_type_ids). Its inputs are {string.Join(", ", inputs.Keys)}.");
            }
        }

        var extra = inputs.Keys.Where(k => k is not (InputIdsName or AttentionMaskName or TokenTypeIdsName)).ToList();
        if (extra.Count > 0)
        {
            throw new OnnxModelException($"{model.WeightsLocation} needs inputs this embedder does not provide: {string.Join(", ", extra)}.");
        }

        return inputs.ContainsKey(TokenTypeIdsName);
    }

    private static string ContentHash(OnnxEmbeddingModel model, string weightsSha256, string vocabularySha256)
    {
        // Everything that changes a stored (document) vector; the query prefix does not, so it is left out.
        // Version 2: truncation at the word piece, as Hugging Face does (version 1 stopped before a word that did not fit).
        var text = string.Create(CultureInfo.InvariantCulture,
            $"onnx-bert/2|weights:{weightsSha256}|vocab:{vocabularySha256}" +
            $"|pooling:{model.Pooling}|max:{model.MaxTokens}|lower:{model.LowerCase}|normalize:{model.Normalize}|document-prefix:{model.DocumentPrefix}");
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
