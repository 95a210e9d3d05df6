using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Model.Native;
using Rag.Model.Native.Internal;
using Rag.Model.Native.Interop;
using Rag.Model.Serving;
using Rag.Model.Serving.Internal;
using Rag.Model.Inference;

namespace Rag.Model.Embeddings;

/// <summary>
/// Embeddings (and reranker scores) from any GGUF embedding model through llama.cpp's pooling. Inputs of concurrent
/// callers are packed into shared decode batches (one sequence id per input) by a single worker thread that owns the
/// context, so many small requests cost few decode calls and nothing is serialised behind a lock.
/// </summary>
public sealed class LlamaEmbedder : IAsyncDisposable, IDisposable
{
    private readonly LlamaModel _model;
    private readonly LlamaEmbedderOptions _options;
    private readonly ILogger _logger;
    private readonly SafeLlamaContextHandle _context;
    private readonly SafeLlamaBatchHandle _batch;
    private readonly Channel<EmbedRequest> _queue;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IntPtr _ctx;
    private readonly int _outputSize;
    private int _disposed;
    private long _batches;

    /// <summary>Creates the context (embeddings on, pooling as configured) and starts the worker.</summary>
    /// <exception cref="ArgumentException">Rank pooling was asked of a model without a classifier head.</exception>
    public LlamaEmbedder(LlamaModel model, LlamaEmbedderOptions? options = null, ILogger<LlamaEmbedder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _options = options ?? new LlamaEmbedderOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var trainCtx = model.Metadata.ContextLength > 0 ? model.Metadata.ContextLength : _options.BatchTokens;
        MaxInputTokens = Math.Min(_options.BatchTokens, trainCtx);
        _context = NativeContextFactory.Create(model, new NativeContextSpec(
            ContextSize: _options.BatchTokens, BatchSize: _options.BatchTokens, MicroBatchSize: _options.BatchTokens,
            Sequences: _options.MaxInputsPerBatch, Threads: _options.Threads, BatchThreads: _options.Threads,
            UnifiedKvCache: true, Embeddings: true, PoolingType: (int)_options.Pooling, FlashAttention: null));
        var ok = false;
        _context.DangerousAddRef(ref ok);
        _ctx = _context.DangerousGetHandle();
        Pooling = (LlamaPoolingType)LlamaNative.llama_pooling_type(_ctx);
        if (Pooling == LlamaPoolingType.Rank)
        {
            _outputSize = (int)LlamaNative.llama_model_n_cls_out(model.Handle.DangerousGetHandle());

            // llama.cpp aborts the process when rank pooling runs on a model without classifier tensors, and it reports
            // one class output even then, so trust only the converter's marker: the model's own pooling type is rank.
            var declared = model.Metadata.Values.GetValueOrDefault($"{model.Metadata.Architecture}.pooling_type");
            if (_outputSize < 1 || declared != "4")
            {
                _context.DangerousRelease();
                _context.Dispose();
                throw new ArgumentException($"Model {model.Path} has no classifier head, so it cannot rerank (rank pooling).", nameof(model));
            }
        }
        else
        {
            _outputSize = model.Metadata.EmbeddingSize;
        }

        _batch = new SafeLlamaBatchHandle(_options.BatchTokens, 1);
        _queue = Channel.CreateBounded<EmbedRequest>(new BoundedChannelOptions(_options.MaxQueuedRequests) { SingleReader = true });
        _thread = new Thread(Run) { IsBackground = true, Name = "llama-embedder" };
        _thread.Start();
        _logger.LogInformation("Embedder on {Model}: pooling {Pooling}, {Dim} outputs, batch {Batch} tokens / {Inputs} inputs, {Threads} threads",
            model.Path, Pooling, _outputSize, _options.BatchTokens, _options.MaxInputsPerBatch, _options.Threads);
    }

    /// <summary>The model.</summary>
    public LlamaModel Model => _model;

    /// <summary>The pooling in effect (the model's own when the options left it unspecified).</summary>
    public LlamaPoolingType Pooling { get; }

    /// <summary>Length of each vector: the embedding size, or the number of classifier outputs for rank pooling.</summary>
    public int Dimensions => _outputSize;

    /// <summary>Longest input in tokens.</summary>
    public int MaxInputTokens { get; }

    /// <summary>Decode batches run so far.</summary>
    public long BatchCount => Interlocked.Read(ref _batches);

    /// <summary>Embeds one text: a pooled vector (L2-normalized unless disabled), or for rank pooling the scores.</summary>
    public async Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken = default)
    {
        var r = await EmbedAsync([text], cancellationToken).ConfigureAwait(false);
        return r[0];
    }

    /// <summary>Embeds several texts in shared batches; one vector per text, in order.</summary>
    /// <exception cref="InvalidOperationException">The pooling is <see cref="LlamaPoolingType.None"/> (use <see cref="EmbedTokensAsync"/>).</exception>
    /// <exception cref="LlamaContextOverflowException">A text is longer than <see cref="MaxInputTokens"/> and truncation is off.</exception>
    public async Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (Pooling == LlamaPoolingType.None)
        {
            throw new InvalidOperationException("This embedder has no pooling (one vector per token); use EmbedTokensAsync.");
        }

        var tokens = texts.Select(Tokenize).ToArray();
        var rows = await Submit(tokens, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => r[0]).ToArray();
    }

    /// <summary>Embeds already tokenized inputs (used for reranker pairs).</summary>
    public async Task<IReadOnlyList<float[]>> EmbedTokensPooledAsync(IReadOnlyList<int[]> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var rows = await Submit(inputs.Select(Check).ToArray(), cancellationToken).ConfigureAwait(false);
        return rows.Select(r => r[0]).ToArray();
    }

    /// <summary>Per-token vectors of one text (pooling <see cref="LlamaPoolingType.None"/> only), not normalized.</summary>
    public async Task<float[][]> EmbedTokensAsync(string text, CancellationToken cancellationToken = default)
    {
        if (Pooling != LlamaPoolingType.None)
        {
            throw new InvalidOperationException($"Per-token vectors need pooling None; this embedder pools with {Pooling}.");
        }

        var rows = await Submit([Tokenize(text)], cancellationToken).ConfigureAwait(false);
        return rows[0];
    }

    /// <summary>Tokenizes as the embedder does (special tokens such as BOS/CLS and EOS/SEP added as the model says).</summary>
    public int[] Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Check(_model.Tokenize(text, addSpecial: true, parseSpecial: false));
    }

    /// <summary>Stops the worker; pending requests fail with <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _queue.Writer.TryComplete();
        }

        await _stopped.Task.ConfigureAwait(false);
    }

    /// <summary>Stops the worker and waits for it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _queue.Writer.TryComplete();
        }

        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
    }

    private int[] Check(int[] tokens)
    {
        if (tokens.Length == 0)
        {
            throw new ArgumentException("An input has no tokens.", nameof(tokens));
        }

        _model.ValidateTokens(tokens);
        if (tokens.Length > MaxInputTokens)
        {
            if (!_options.Truncate)
            {
                throw new LlamaContextOverflowException(tokens.Length, MaxInputTokens);
            }

            return tokens[..MaxInputTokens];
        }

        return tokens;
    }

    private Task<float[][][]> Submit(int[][] inputs, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ct.ThrowIfCancellationRequested();
        var request = new EmbedRequest(inputs, ct);
        if (inputs.Length == 0)
        {
            return Task.FromResult(Array.Empty<float[][]>());
        }

        if (!_queue.Writer.TryWrite(request))
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            throw new LlamaSchedulerOverloadedException($"The embedder queue ({_options.MaxQueuedRequests} requests) is full. Retry later or raise MaxQueuedRequests.");
        }

        return request.Completion.Task;
    }

    private void Run()
    {
        var pending = new List<(EmbedRequest Request, int Input)>();
        Exception? fatal = null;
        try
        {
            while (true)
            {
                // Drain the queue into the pending list of (request, input) items.
                while (_queue.Reader.TryRead(out var r))
                {
                    if (r.CancellationToken.IsCancellationRequested)
                    {
                        r.Completion.TrySetCanceled(r.CancellationToken);
                        continue;
                    }

                    for (var i = 0; i < r.Inputs.Length; i++)
                    {
                        pending.Add((r, i));
                    }
                }

                pending.RemoveAll(p => p.Request.Completion.Task.IsCompleted || CancelIfRequested(p.Request));
                if (pending.Count == 0)
                {
                    if (!_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                    {
                        break;
                    }

                    continue;
                }

                RunBatch(pending);
            }
        }
        catch (Exception ex)
        {
            fatal = ex;
            _logger.LogError(ex, "The embedder stopped after an unexpected error.");
        }
        finally
        {
            var reason = fatal ?? new ObjectDisposedException(nameof(LlamaEmbedder));
            foreach (var p in pending)
            {
                p.Request.Completion.TrySetException(reason);
            }

            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var r))
            {
                r.Completion.TrySetException(reason);
            }

            _context.DangerousRelease();
            _batch.Dispose();
            _context.Dispose();
            _stopped.TrySetResult();
        }
    }

    private static bool CancelIfRequested(EmbedRequest r)
    {
        if (!r.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        r.Completion.TrySetCanceled(r.CancellationToken);
        return true;
    }

    private unsafe void RunBatch(List<(EmbedRequest Request, int Input)> pending)
    {
        var batch = _batch.Batch;
        var n = 0;
        var taken = new List<(EmbedRequest Request, int Input, int Start, int Length)>();
        foreach (var p in pending)
        {
            var tokens = p.Request.Inputs[p.Input];
            if (taken.Count == _options.MaxInputsPerBatch || n + tokens.Length > _options.BatchTokens)
            {
                break;
            }

            var seq = taken.Count;
            for (var j = 0; j < tokens.Length; j++)
            {
                batch->token[n + j] = tokens[j];
                batch->pos[n + j] = j;
                batch->n_seq_id[n + j] = 1;
                batch->seq_id[n + j][0] = seq;
                batch->logits[n + j] = 1;
            }

            taken.Add((p.Request, p.Input, n, tokens.Length));
            n += tokens.Length;
        }

        pending.RemoveRange(0, taken.Count);
        batch->n_tokens = n;
        LlamaNative.llama_memory_clear(LlamaNative.llama_get_memory(_ctx), true);
        var rc = LlamaNative.llama_decode(_ctx, *batch);
        Interlocked.Increment(ref _batches);
        if (rc != 0)
        {
            var error = new LlamaDecodeException(rc);
            foreach (var t in taken)
            {
                t.Request.Completion.TrySetException(error);
            }

            return;
        }

        for (var s = 0; s < taken.Count; s++)
        {
            var t = taken[s];
            float[][] rows;
            if (Pooling == LlamaPoolingType.None)
            {
                rows = new float[t.Length][];
                for (var j = 0; j < t.Length; j++)
                {
                    var p = LlamaNative.llama_get_embeddings_ith(_ctx, t.Start + j);
                    rows[j] = p is null ? throw new InvalidOperationException("llama.cpp returned no token embedding.") : new ReadOnlySpan<float>(p, _outputSize).ToArray();
                }
            }
            else
            {
                var p = LlamaNative.llama_get_embeddings_seq(_ctx, s);
                if (p is null)
                {
                    t.Request.Completion.TrySetException(new InvalidOperationException("llama.cpp returned no pooled embedding."));
                    continue;
                }

                var v = new ReadOnlySpan<float>(p, _outputSize).ToArray();
                if (_options.Normalize && Pooling != LlamaPoolingType.Rank)
                {
                    L2Normalize(v);
                }

                rows = [v];
            }

            t.Request.Results[t.Input] = rows;
            if (Interlocked.Decrement(ref t.Request.Remaining) == 0)
            {
                t.Request.Completion.TrySetResult(t.Request.Results);
            }
        }
    }

    /// <summary>Scales <paramref name="v"/> to unit L2 length (a zero vector stays zero).</summary>
    public static void L2Normalize(Span<float> v)
    {
        double sum = 0;
        foreach (var x in v)
        {
            sum += (double)x * x;
        }

        if (sum <= 0)
        {
            return;
        }

        var inv = (float)(1.0 / Math.Sqrt(sum));
        for (var i = 0; i < v.Length; i++)
        {
            v[i] *= inv;
        }
    }

    private sealed class EmbedRequest(int[][] inputs, CancellationToken ct)
    {
        public int[][] Inputs { get; } = inputs;

        public CancellationToken CancellationToken { get; } = ct;

        public float[][][] Results { get; } = new float[inputs.Length][][];

        public TaskCompletionSource<float[][][]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

#pragma warning disable CA1051, SA1401 // decremented with Interlocked
        public int Remaining = inputs.Length;
#pragma warning restore CA1051, SA1401
    }
}
