using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Model.Lora;
using Rag.Model.Native;
using Rag.Model.Native.Internal;
using Rag.Model.Native.Interop;
using Rag.Model.Serving.Internal;
using Rag.Model.Inference;
using Rag.Model.Sampling;
using Rag.Model.Sampling.Internal;

namespace Rag.Model.Serving;

/// <summary>
/// Continuous batching over one llama.cpp context. Every decode step is a single <c>llama_decode</c> carrying one token
/// for each decoding sequence plus chunks of new prompts, so many concurrent requests share one KV cache and one set of
/// weights reads. New requests join between steps; long prompts are prefilled in chunks
/// (<see cref="LlamaSchedulerOptions.PrefillChunkTokens"/>) handed out round robin, so they never stall the others.
/// Each request has its own sampler chain, stop strings, token limit, LoRA adapter set and cancellation.
/// </summary>
/// <remarks>
/// There is no lock around inference: one scheduler thread owns the context, and requests reach it through a bounded
/// channel. A full queue fails fast with <see cref="LlamaSchedulerOverloadedException"/>. Requests with different
/// LoRA adapter sets never share a step (steps alternate between adapter sets), so every request gets exactly the
/// logits it would get alone. A cancelled or abandoned request frees its sequence at the start of the next step.
/// </remarks>
public sealed class LlamaBatchScheduler : IAsyncDisposable, IDisposable
{
    private readonly LlamaModel _model;
    private readonly LlamaSchedulerOptions _options;
    private readonly ILogger _logger;
    private readonly SafeLlamaContextHandle _context;
    private readonly SafeLlamaBatchHandle _batch;
    private readonly Channel<SchedulerRequest> _queue;
    private readonly List<SchedulerRequest> _active = [];
    private readonly Stack<int> _freeSequences = new();
    private readonly PrefixCache? _prefixCache;
    private readonly AdapterBinding _adapters = new();
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _piece = new byte[256];
    private readonly List<string> _groupKeys = [];
    private readonly IntPtr _ctx;
    private readonly IntPtr _mem;
    private int _groupTurn;
    private int _prefillTurn;
    private int _disposed;

    // Statistics: written by the scheduler thread, read as a snapshot.
    private double _decodeOnlyCpu;
    private long _steps, _generated, _prefilled, _cacheHits, _decodeOnlySteps, _decodeOnlyTokens, _decodeOnlyTicks;
    private long _completed, _cancelledCount, _failed, _rejected;
    private int _activeCount;

    /// <summary>Creates the context and starts the scheduler thread.</summary>
    /// <param name="model">The model (kept alive until the scheduler is disposed).</param>
    /// <param name="options">Settings; null for defaults.</param>
    /// <param name="logger">Logger.</param>
    public LlamaBatchScheduler(LlamaModel model, LlamaSchedulerOptions? options = null, ILogger<LlamaBatchScheduler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _options = options ?? new LlamaSchedulerOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;

        var cacheSeqs = _options.EnablePrefixCache ? _options.PrefixCacheEntries : 0;
        var nSeq = _options.MaxSequences + cacheSeqs;
        _context = NativeContextFactory.Create(model, new NativeContextSpec(
            _options.ContextSize, _options.BatchSize, _options.MicroBatchSize, nSeq, _options.Threads, _options.BatchThreads,
            _options.UnifiedKvCache, Embeddings: false, PoolingType: -1, _options.FlashAttention, AdaptiveThreads: _options.AdaptiveThreads));
        var ctxRef = false;
        try
        {
            _context.DangerousAddRef(ref ctxRef);
            _ctx = _context.DangerousGetHandle();
            _mem = LlamaNative.llama_get_memory(_ctx);
            ContextSize = (int)LlamaNative.llama_n_ctx(_ctx);
            SequenceCapacity = _options.UnifiedKvCache ? ContextSize : ContextSize / nSeq;
            _batch = new SafeLlamaBatchHandle(_options.BatchSize, 1);
        }
        catch
        {
            if (ctxRef)
            {
                _context.DangerousRelease();
            }

            _context.Dispose();
            throw;
        }

        for (var i = _options.MaxSequences - 1; i >= 0; i--)
        {
            _freeSequences.Push(i);
        }

        if (_options.EnablePrefixCache)
        {
            _prefixCache = new PrefixCache(_options.MaxSequences, cacheSeqs, _options.EffectivePrefixCacheTokenBudget,
                _options.PrefixCacheMinTokens);
        }

        _queue = Channel.CreateBounded<SchedulerRequest>(new BoundedChannelOptions(Math.Max(1, _options.MaxQueuedRequests))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        _thread = new Thread(Run) { IsBackground = true, Name = "llama-batch-scheduler" };
        _thread.Start();
        _logger.LogInformation("Batch scheduler on {Model}: ctx {Ctx} ({Layout}), {Seqs} sequences, batch {Batch}, prefill chunk {Chunk}, {Threads} threads, prefix cache {Cache}",
            model.Path, ContextSize, _options.UnifiedKvCache ? "unified" : "per-sequence", _options.MaxSequences, _options.BatchSize,
            _options.PrefillChunkTokens, _options.Threads, _prefixCache is null ? "off" : $"{_prefixCache.Budget} tokens");
    }

    /// <summary>The model served.</summary>
    public LlamaModel Model => _model;

    /// <summary>The settings in effect.</summary>
    public LlamaSchedulerOptions Options => _options;

    /// <summary>KV-cache size in tokens.</summary>
    public int ContextSize { get; }

    /// <summary>Most tokens (prompt + generated) one sequence can hold.</summary>
    public int SequenceCapacity { get; }

    /// <summary>Raised on the scheduler thread when a request's sequence is freed: (sequence id, steps completed so far).</summary>
    internal event Action<int, long>? SequenceReleased;

    /// <summary>Steps completed so far.</summary>
    internal long StepCount => Volatile.Read(ref _steps);

    /// <summary>
    /// KV cells held by the prefix cache's sequences, read from llama.cpp (tests call it while the scheduler is idle).
    /// </summary>
    internal int PrefixCacheCellsInKv()
    {
        if (_prefixCache is null)
        {
            return 0;
        }

        var total = 0;
        for (var s = _options.MaxSequences; s < _options.MaxSequences + _options.PrefixCacheEntries; s++)
        {
            var max = LlamaNative.llama_memory_seq_pos_max(_mem, s);
            if (max >= 0)
            {
                total += max - LlamaNative.llama_memory_seq_pos_min(_mem, s) + 1;
            }
        }

        return total;
    }

    /// <summary>A snapshot of the counters.</summary>
    public LlamaSchedulerStatistics GetStatistics() => new()
    {
        Steps = Volatile.Read(ref _steps),
        GeneratedTokens = Volatile.Read(ref _generated),
        PrefilledTokens = Volatile.Read(ref _prefilled),
        PrefixCacheHitTokens = Volatile.Read(ref _cacheHits),
        DecodeOnlySteps = Volatile.Read(ref _decodeOnlySteps),
        DecodeOnlyTokens = Volatile.Read(ref _decodeOnlyTokens),
        DecodeOnlyTime = TimeSpan.FromSeconds(Volatile.Read(ref _decodeOnlyTicks) / (double)Stopwatch.Frequency),
        DecodeOnlyCpuTime = TimeSpan.FromSeconds(Volatile.Read(ref _decodeOnlyCpu)),
        Completed = Volatile.Read(ref _completed),
        Cancelled = Volatile.Read(ref _cancelledCount),
        Failed = Volatile.Read(ref _failed),
        Rejected = Volatile.Read(ref _rejected),
        ActiveSequences = Volatile.Read(ref _activeCount),
        PrefixCacheEntries = _prefixCache?.Count ?? 0,
        PrefixCacheTokens = _prefixCache?.Tokens ?? 0,
        ReducedThreadSteps = _context.Threads?.ReducedDecodes ?? 0,
        ThreadsInUse = _context.Threads?.Current ?? 1,
    };

    /// <summary>
    /// Queues a generation and streams its tokens. The request is validated and queued at the call (not at the first
    /// <c>MoveNextAsync</c>), so a bad request or a full queue throws here.
    /// </summary>
    /// <param name="prompt">Prompt text, tokenized as <paramref name="options"/> says.</param>
    /// <param name="options">Generation settings; null for defaults.</param>
    /// <param name="adapters">LoRA adapters for this request; null for the base model.</param>
    /// <param name="cancellationToken">Cancels the request; its sequence is freed within one step.</param>
    /// <exception cref="LlamaContextOverflowException">The prompt does not fit in one sequence.</exception>
    /// <exception cref="LlamaSchedulerOverloadedException">The queue is full.</exception>
    /// <exception cref="LlamaGrammarException">The grammar is invalid.</exception>
    public IAsyncEnumerable<GeneratedToken> GenerateAsync(string prompt, GenerationOptions? options = null, LoraAdapterSet? adapters = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        options ??= new GenerationOptions();
        options.Validate();
        var tokens = _model.Tokenize(prompt, options.AddSpecialTokens, options.ParseSpecialTokens);
        return GenerateAsync(tokens, options, adapters, cancellationToken);
    }

    /// <summary>Queues a generation from prompt tokens (see <see cref="GenerateAsync(string, GenerationOptions?, LoraAdapterSet?, CancellationToken)"/>).</summary>
    public IAsyncEnumerable<GeneratedToken> GenerateAsync(IReadOnlyList<int> promptTokens, GenerationOptions? options = null, LoraAdapterSet? adapters = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(promptTokens);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        options ??= new GenerationOptions();
        options.Validate();
        adapters ??= LoraAdapterSet.Empty;
        if (promptTokens.Count == 0)
        {
            throw new ArgumentException("The prompt has no tokens.", nameof(promptTokens));
        }

        var prompt = promptTokens.ToArray();
        _model.ValidateTokens(prompt);
        if (prompt.Length >= SequenceCapacity)
        {
            throw new LlamaContextOverflowException(prompt.Length, SequenceCapacity);
        }

        foreach (var a in adapters.Adapters)
        {
            ObjectDisposedException.ThrowIf(a.Adapter.IsDisposed, a.Adapter);
            if (!ReferenceEquals(a.Adapter.Model, _model))
            {
                throw new ArgumentException($"LoRA adapter {a.Adapter} was loaded for {a.Adapter.Model.Path}, not for the model this scheduler serves.", nameof(adapters));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var sampler = LlamaSampler.Create(_model, options.Sampling);
        var request = new SchedulerRequest(prompt, options, sampler, adapters, cancellationToken);
        if (options.MaxTokens == 0)
        {
            sampler.Dispose();
            request.Output.Writer.TryComplete();
            return ReadAsync(request, cancellationToken);
        }

        // Adapters stay loaded while a request may still run with them.
        var held = new List<LlamaLoraAdapter>();
        foreach (var a in adapters.Adapters)
        {
            var ok = false;
            a.Adapter.Handle.DangerousAddRef(ref ok);
            held.Add(a.Adapter);
        }

        request.HeldAdapters = held;
        if (cancellationToken.CanBeCanceled)
        {
            request.Registration = cancellationToken.Register(static r => ((SchedulerRequest)r!).Cancel(), request);
        }

        if (!_queue.Writer.TryWrite(request))
        {
            ReleaseResources(request);
            if (Volatile.Read(ref _disposed) != 0)
            {
                throw new ObjectDisposedException(nameof(LlamaBatchScheduler));
            }

            Interlocked.Increment(ref _rejected);
            throw new LlamaSchedulerOverloadedException(_options.MaxQueuedRequests, Volatile.Read(ref _activeCount));
        }

        return ReadAsync(request, cancellationToken);
    }

    /// <summary>Generates and returns the whole continuation as a string.</summary>
    public async Task<string> GenerateTextAsync(string prompt, GenerationOptions? options = null, LoraAdapterSet? adapters = null,
        CancellationToken cancellationToken = default)
    {
        var sb = new StringBuilder();
        await foreach (var t in GenerateAsync(prompt, options, adapters, cancellationToken).ConfigureAwait(false))
        {
            sb.Append(t.Text);
        }

        return sb.ToString();
    }

    /// <summary>Stops the scheduler: running and queued requests end with <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await _stopped.Task.ConfigureAwait(false);
            return;
        }

        _queue.Writer.TryComplete();
        await _stopped.Task.ConfigureAwait(false);
    }

    /// <summary>Stops the scheduler and waits for its thread.</summary>
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

    private static async IAsyncEnumerable<GeneratedToken> ReadAsync(SchedulerRequest request, [EnumeratorCancellation] CancellationToken enumeratorToken = default)
    {
        var reader = request.Output.Reader;
        try
        {
            while (await reader.WaitToReadAsync(enumeratorToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var t))
                {
                    yield return t;
                }
            }
        }
        finally
        {
            // Stopping early (break, dispose, exception) abandons the request: the scheduler frees its sequence.
            if (!reader.Completion.IsCompleted)
            {
                request.Cancel();
            }
        }
    }

    private void Run()
    {
        Exception? fatal = null;
        try
        {
            while (true)
            {
                Admit();
                ReapCancelled();
                if (_active.Count == 0)
                {
                    if (Volatile.Read(ref _disposed) != 0)
                    {
                        break;
                    }

                    // Idle: block this dedicated thread until a request arrives or the writer completes.
                    if (!_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                    {
                        break;
                    }

                    continue;
                }

                if (Volatile.Read(ref _disposed) != 0)
                {
                    break;
                }

                Step();
            }
        }
        catch (Exception ex)
        {
            fatal = ex;
            _logger.LogError(ex, "The batch scheduler stopped after an unexpected error.");
        }
        finally
        {
            var reason = fatal ?? new ObjectDisposedException(nameof(LlamaBatchScheduler), "The batch scheduler was disposed.");
            foreach (var r in _active.ToArray())
            {
                Finish(r, reason);
            }

            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var q))
            {
                FinishUnadmitted(q, reason);
            }

            _context.DangerousRelease();
            _batch.Dispose();
            _context.Dispose();
            _adapters.Dispose();
            _stopped.TrySetResult();
        }
    }

    private void Admit()
    {
        while (_freeSequences.Count > 0 && _queue.Reader.TryRead(out var r))
        {
            if (r.IsCancelled || r.CancellationToken.IsCancellationRequested)
            {
                FinishUnadmitted(r, null);
                continue;
            }

            var seq = _freeSequences.Pop();
            r.Sequence = seq;
            LlamaNative.llama_memory_seq_rm(_mem, seq, -1, -1);
            if (_prefixCache is not null)
            {
                var reused = _prefixCache.TryRestore(_mem, r.Prompt, r.Adapters.Key, seq);
                r.Prefilled = reused;
                _cacheHits += reused;
            }

            r.Position = r.Prefilled;
            _active.Add(r);
            Volatile.Write(ref _activeCount, _active.Count);
        }
    }

    private void ReapCancelled()
    {
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            var r = _active[i];
            if (r.IsCancelled)
            {
                Finish(r, null);
            }
        }
    }

    private unsafe void Step()
    {
        var t0 = Stopwatch.GetTimestamp();
        var cpu0 = ProcessCpuClock.Seconds();
        var key = ChooseGroup();
        var batch = _batch.Batch;
        var n = 0;
        foreach (var r in _active)
        {
            r.OutputIndex = -1;
            r.BatchStart = -1;
            if (r.Adapters.Key != key || r.PendingToken < 0)
            {
                continue;
            }

            r.BatchStart = r.Position;
            Add(batch, n, r.PendingToken, r.Position, r.Sequence, true);
            r.OutputIndex = n++;
        }

        // Prefill budget handed out round robin, starting one request later each step.
        var budget = Math.Min(_options.PrefillChunkTokens, _options.BatchSize - n);
        var prefillTokens = 0;
        var count = _active.Count;
        var start = count == 0 ? 0 : _prefillTurn++ % count;
        for (var k = 0; k < count && budget > 0; k++)
        {
            var r = _active[(start + k) % count];
            if (r.Adapters.Key != key || r.PrefillDone)
            {
                continue;
            }

            var take = Math.Min(budget, r.Prompt.Length - r.Prefilled);
            r.BatchStart = r.Prefilled;
            for (var j = 0; j < take; j++)
            {
                var pos = r.Prefilled + j;
                var last = pos == r.Prompt.Length - 1;
                Add(batch, n, r.Prompt[pos], pos, r.Sequence, last);
                if (last)
                {
                    r.OutputIndex = n;
                }

                n++;
            }

            r.Prefilled += take;
            r.Position = r.Prefilled;
            budget -= take;
            prefillTokens += take;
        }

        if (n == 0)
        {
            return;
        }

        batch->n_tokens = n;
        _adapters.Apply(_ctx, GroupSet(key));
        var rc = _context.Decode(_ctx, *batch);
        if (rc != 0)
        {
            HandleDecodeFailure(rc, key, prefillTokens);
            return;
        }

        _prefilled += prefillTokens;
        var sampled = 0;
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            var r = _active[i];
            if (r.Adapters.Key != key || r.OutputIndex < 0)
            {
                continue;
            }

            if (r.PendingToken >= 0)
            {
                r.Position++;
                r.PendingToken = -1;
            }
            else if (_prefixCache is not null && r.Prefilled == r.Prompt.Length && r.Generated == 0)
            {
                // The sequence holds exactly the prompt now: remember it for later prompts with the same prefix.
                _prefixCache.Store(_mem, r.Prompt, key, r.Sequence);
            }

            SampleAndEmit(r);
            sampled++;
        }

        Interlocked.Increment(ref _steps);
        _generated += sampled;
        if (prefillTokens == 0)
        {
            _decodeOnlySteps++;
            _decodeOnlyTokens += sampled;
            _decodeOnlyTicks += Stopwatch.GetTimestamp() - t0;
            _decodeOnlyCpu += ProcessCpuClock.Seconds() - cpu0;
        }
    }

    private unsafe void SampleAndEmit(SchedulerRequest r)
    {
        var token = LlamaNative.llama_sampler_sample(r.Sampler.Handle.DangerousGetHandle(), _ctx, r.OutputIndex);
        int len;
        fixed (byte* p = _piece)
        {
            len = (uint)token < (uint)_model.VocabSize
                ? LlamaNative.llama_token_to_piece(_model.Vocab, token, p, _piece.Length, 0, r.Options.RenderSpecialTokens ? (byte)1 : (byte)0)
                : 0;
        }

        var emitted = r.Emitter.Emit(token, LlamaNative.llama_vocab_is_eog(_model.Vocab, token), _piece.AsSpan(0, Math.Max(0, len)));
        if (emitted.Finish is null && r.Position >= SequenceCapacity)
        {
            emitted = r.Emitter.ContextFull(emitted);
        }

        r.Output.Writer.TryWrite(emitted);
        if (emitted.Finish is not null)
        {
            Finish(r, null, completed: true);
            return;
        }

        r.PendingToken = token;
    }

    private void HandleDecodeFailure(int rc, string key, int prefillTokens)
    {
        // Undo whatever part of the batch reached the cache, so every sequence is back where it was.
        foreach (var r in _active)
        {
            if (r.Adapters.Key != key || r.BatchStart < 0)
            {
                continue;
            }

            LlamaNative.llama_memory_seq_rm(_mem, r.Sequence, r.BatchStart, -1);
            if (r.PendingToken < 0)
            {
                r.Prefilled = r.BatchStart;
                r.Position = r.BatchStart;
            }
        }

        if (rc == 1)
        {
            // No free KV cells: drop cached prefixes first, then give up on the longest sequence of this group.
            if (_prefixCache is not null && _prefixCache.Clear(_mem))
            {
                _logger.LogDebug("KV cache full: cleared the prefix cache.");
                return;
            }

            SchedulerRequest? victim = null;
            foreach (var r in _active)
            {
                if (r.Adapters.Key == key && (victim is null || r.Position > victim.Position))
                {
                    victim = r;
                }
            }

            if (victim is not null)
            {
                _logger.LogWarning("KV cache full ({Ctx} cells): failing the longest request ({Tokens} tokens).", ContextSize, victim.Position);
                Finish(victim, new LlamaContextOverflowException(
                    $"The shared KV cache ({ContextSize} cells) is full: this request ({victim.Position} tokens) was stopped so the others can continue. Raise ContextSize or lower MaxSequences."));
            }

            return;
        }

        var error = new LlamaDecodeException(rc);
        _logger.LogError("llama_decode failed with {Code}; failing the requests of this step.", rc);
        foreach (var r in _active.ToArray())
        {
            if (r.Adapters.Key == key && r.BatchStart >= 0)
            {
                Finish(r, error);
            }
        }

        _ = prefillTokens;
    }

    private string ChooseGroup()
    {
        var first = _active[0].Adapters.Key;
        var mixed = false;
        foreach (var r in _active)
        {
            if (r.Adapters.Key != first)
            {
                mixed = true;
                break;
            }
        }

        if (!mixed)
        {
            return first;
        }

        _groupKeys.Clear();
        foreach (var r in _active)
        {
            if (!_groupKeys.Contains(r.Adapters.Key))
            {
                _groupKeys.Add(r.Adapters.Key);
            }
        }

        _groupKeys.Sort(StringComparer.Ordinal);
        return _groupKeys[_groupTurn++ % _groupKeys.Count];
    }

    private LoraAdapterSet GroupSet(string key)
    {
        foreach (var r in _active)
        {
            if (r.Adapters.Key == key)
            {
                return r.Adapters;
            }
        }

        return LoraAdapterSet.Empty;
    }

    private static unsafe void Add(LlamaBatch* batch, int i, int token, int pos, int seq, bool output)
    {
        batch->token[i] = token;
        batch->pos[i] = pos;
        batch->n_seq_id[i] = 1;
        batch->seq_id[i][0] = seq;
        batch->logits[i] = output ? (sbyte)1 : (sbyte)0;
    }

    private void Finish(SchedulerRequest r, Exception? error, bool completed = false)
    {
        _active.Remove(r);
        Volatile.Write(ref _activeCount, _active.Count);
        var seq = r.Sequence;
        if (seq >= 0)
        {
            LlamaNative.llama_memory_seq_rm(_mem, seq, -1, -1);
            _freeSequences.Push(seq);
            r.Sequence = -1;
        }

        CompleteRequest(r, error, completed);
        if (seq >= 0)
        {
            SequenceReleased?.Invoke(seq, Volatile.Read(ref _steps));
        }
    }

    private void FinishUnadmitted(SchedulerRequest r, Exception? error) => CompleteRequest(r, error, completed: false);

    private void CompleteRequest(SchedulerRequest r, Exception? error, bool completed)
    {
        if (error is not null)
        {
            Interlocked.Increment(ref _failed);
            r.Output.Writer.TryComplete(error);
        }
        else if (completed)
        {
            Interlocked.Increment(ref _completed);
            r.Output.Writer.TryComplete();
        }
        else
        {
            Interlocked.Increment(ref _cancelledCount);
            r.Output.Writer.TryComplete(r.CancellationToken.IsCancellationRequested
                ? new OperationCanceledException(r.CancellationToken)
                : new OperationCanceledException("The request was cancelled."));
        }

        ReleaseResources(r);
    }

    private static void ReleaseResources(SchedulerRequest r)
    {
        r.Registration.Dispose();
        r.Sampler.Dispose();
        if (r.HeldAdapters is { } held)
        {
            foreach (var a in held)
            {
                a.Handle.DangerousRelease();
            }

            r.HeldAdapters = null;
        }
    }
}
