using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Rag.Model.Inference.Internal;
using Rag.Model.Native;
using Rag.Model.Native.Internal;
using Rag.Model.Native.Interop;
using Rag.Model.Sampling;
using Rag.Model.Sampling.Internal;

namespace Rag.Model.Inference;

/// <summary>
/// An inference context: KV cache, thread settings and a reusable native batch. One caller at a time; there is no
/// process-wide lock, so separate contexts run in parallel, and a batching scheduler drives several sequences of one
/// context through <see cref="Decode(ReadOnlySpan{BatchToken})"/>.
/// </summary>
public sealed class LlamaContext : IDisposable
{
    private readonly SafeLlamaContextHandle _handle;
    private readonly SafeLlamaBatchHandle _batch;
    private readonly LlamaModel _model;
    private int _generating;

    internal LlamaContext(LlamaModel model, LlamaContextOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        _handle = NativeContextFactory.Create(model, new NativeContextSpec(
            options.ContextSize, options.BatchSize, options.MicroBatchSize, options.SequenceCount, options.Threads, options.BatchThreads,
            UnifiedKvCache: false, options.Embeddings, PoolingType: -1, options.FlashAttention, options.CollectPerformance, options.AdaptiveThreads, options.KvCacheType));
        var ctx = _handle.DangerousGetHandle();
        ContextSize = (int)LlamaNative.llama_n_ctx(ctx);
        BatchSize = (int)LlamaNative.llama_n_batch(ctx);
        SequenceCount = (int)LlamaNative.llama_n_seq_max(ctx);
        _batch = new SafeLlamaBatchHandle(BatchSize, SequenceCount);
    }

    /// <summary>The model this context runs.</summary>
    public LlamaModel Model => _model;

    /// <summary>Actual KV-cache size in tokens.</summary>
    public int ContextSize { get; }

    /// <summary>Largest batch per decode call.</summary>
    public int BatchSize { get; }

    /// <summary>Number of sequences the context holds.</summary>
    public int SequenceCount { get; }

    /// <summary>Most decode threads (configured).</summary>
    public int Threads => _handle.Threads?.Threads ?? 1;

    /// <summary>
    /// Threads the latest decode used: fewer than <see cref="Threads"/> while other processes held cores and
    /// <see cref="LlamaContextOptions.AdaptiveThreads"/> is on.
    /// </summary>
    public int ThreadsInUse => _handle.Threads?.Current ?? 1;

    internal SafeLlamaContextHandle Handle => _handle;

    /// <summary>Empties the KV cache of all sequences.</summary>
    public void ClearMemory()
    {
        using var c = new HandleLease(_handle, nameof(LlamaContext));
        LlamaNative.llama_memory_clear(LlamaNative.llama_get_memory(c.Pointer), true);
    }

    /// <summary>Removes positions [from, to) of a sequence from the KV cache (to = -1: to the end).</summary>
    public bool RemoveTokens(int sequence, int from, int to = -1)
    {
        using var c = new HandleLease(_handle, nameof(LlamaContext));
        return LlamaNative.llama_memory_seq_rm(LlamaNative.llama_get_memory(c.Pointer), sequence, from, to);
    }

    /// <summary>Copies positions [from, to) of sequence <paramref name="source"/> to <paramref name="destination"/> (shares KV cells; used for prefix reuse).</summary>
    public void CopySequence(int source, int destination, int from = -1, int to = -1)
    {
        using var c = new HandleLease(_handle, nameof(LlamaContext));
        LlamaNative.llama_memory_seq_cp(LlamaNative.llama_get_memory(c.Pointer), source, destination, from, to);
    }

    /// <summary>Removes every sequence except <paramref name="sequence"/> from the KV cache.</summary>
    public void KeepSequence(int sequence)
    {
        using var c = new HandleLease(_handle, nameof(LlamaContext));
        LlamaNative.llama_memory_seq_keep(LlamaNative.llama_get_memory(c.Pointer), sequence);
    }

    /// <summary>Highest position stored for a sequence, or -1 when it is empty.</summary>
    public int SequencePositionMax(int sequence)
    {
        using var c = new HandleLease(_handle, nameof(LlamaContext));
        return LlamaNative.llama_memory_seq_pos_max(LlamaNative.llama_get_memory(c.Pointer), sequence);
    }

    /// <summary>Changes the most threads (adaptive threads stay on or off as configured).</summary>
    public void SetThreads(int threads, int batchThreads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(batchThreads);
        using var c = new HandleLease(_handle, nameof(LlamaContext));
        _handle.Threads!.Reconfigure(c.Pointer, threads, batchThreads > 0 ? batchThreads : threads);
    }

    /// <summary>
    /// Decodes one batch of tokens, possibly from several sequences (at most <see cref="BatchSize"/> tokens).
    /// Output rows are numbered in batch order among tokens with <see cref="BatchToken.Output"/> set; read them with
    /// <see cref="GetLogits"/> using the token's batch index.
    /// </summary>
    /// <exception cref="LlamaDecodeException">llama_decode failed.</exception>
    public unsafe void Decode(ReadOnlySpan<BatchToken> tokens)
    {
        if (tokens.Length == 0 || tokens.Length > BatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens.Length, $"A batch holds 1 to {BatchSize} tokens.");
        }

        using var c = new HandleLease(_handle, nameof(LlamaContext));
        using var b = new HandleLease(_batch, "batch");
        var batch = _batch.Batch;
        for (var i = 0; i < tokens.Length; i++)
        {
            ref readonly var t = ref tokens[i];
            _model.ValidateToken(t.Token);
            if ((uint)t.Sequence >= (uint)SequenceCount)
            {
                throw new ArgumentOutOfRangeException(nameof(tokens), t.Sequence, $"Sequence ids must be in [0, {SequenceCount}).");
            }

            batch->token[i] = t.Token;
            batch->pos[i] = t.Position;
            batch->n_seq_id[i] = 1;
            batch->seq_id[i][0] = t.Sequence;
            batch->logits[i] = t.Output ? (sbyte)1 : (sbyte)0;
        }

        batch->n_tokens = tokens.Length;
        var rc = _handle.Decode(c.Pointer, *batch);
        if (rc != 0)
        {
            throw new LlamaDecodeException(rc);
        }
    }

    /// <summary>Logits (length = vocabulary size) for batch index <paramref name="batchIndex"/> of the last decode (-1 = last output).</summary>
    public unsafe ReadOnlySpan<float> GetLogits(int batchIndex)
    {
        using var c = new HandleLease(_handle, nameof(LlamaContext));
        var p = LlamaNative.llama_get_logits_ith(c.Pointer, batchIndex);
        if (p is null)
        {
            throw new ArgumentOutOfRangeException(nameof(batchIndex), batchIndex, "No logits were produced for this batch index.");
        }

        return new ReadOnlySpan<float>(p, _model.VocabSize);
    }

    /// <summary>Per-token embedding (length = embedding size) for a batch index of the last decode; needs <see cref="LlamaContextOptions.Embeddings"/>.</summary>
    public unsafe ReadOnlySpan<float> GetEmbeddings(int batchIndex)
    {
        using var c = new HandleLease(_handle, nameof(LlamaContext));
        var p = LlamaNative.llama_get_embeddings_ith(c.Pointer, batchIndex);
        if (p is null)
        {
            throw new InvalidOperationException("No embeddings for this batch index (was the context created with Embeddings = true and the token marked for output?).");
        }

        return new ReadOnlySpan<float>(p, _model.Metadata.EmbeddingSize);
    }

    /// <summary>
    /// Generates a continuation of <paramref name="prompt"/> on sequence 0, starting from an empty KV cache, streaming
    /// one item per sampled token. The prompt is tokenized with BOS as the model says.
    /// </summary>
    /// <exception cref="LlamaContextOverflowException">The prompt does not leave room for one generated token.</exception>
    /// <exception cref="LlamaGrammarException">The grammar is invalid.</exception>
    public IAsyncEnumerable<GeneratedToken> GenerateAsync(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        options ??= new GenerationOptions();
        options.Validate();
        var tokens = _model.Tokenize(prompt, options.AddSpecialTokens, options.ParseSpecialTokens);
        return GenerateAsync(tokens, options, cancellationToken);
    }

    /// <summary>Generates a continuation of already tokenized input (see <see cref="GenerateAsync(string, GenerationOptions?, CancellationToken)"/>).</summary>
    public IAsyncEnumerable<GeneratedToken> GenerateAsync(IReadOnlyList<int> promptTokens, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(promptTokens);
        options ??= new GenerationOptions();
        options.Validate();
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (promptTokens.Count == 0)
        {
            throw new ArgumentException("The prompt has no tokens.", nameof(promptTokens));
        }

        if (promptTokens.Count >= ContextSize)
        {
            throw new LlamaContextOverflowException(promptTokens.Count, ContextSize);
        }

        _model.ValidateTokens(promptTokens.ToArray());

        // Build the sampler eagerly so a bad grammar fails at the call, not at the first MoveNextAsync.
        var sampler = LlamaSampler.Create(_model, options.Sampling);
        return Stream(promptTokens, options, sampler, cancellationToken);
    }

    /// <summary>Generates and returns the whole continuation as a string.</summary>
    public async Task<string> GenerateTextAsync(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var sb = new StringBuilder();
        await foreach (var t in GenerateAsync(prompt, options, cancellationToken).ConfigureAwait(false))
        {
            sb.Append(t.Text);
        }

        return sb.ToString();
    }

    /// <summary>Frees the context. Safe to call twice.</summary>
    public void Dispose()
    {
        _batch.Dispose();
        _handle.Dispose();
    }

    private async IAsyncEnumerable<GeneratedToken> Stream(IReadOnlyList<int> prompt, GenerationOptions options, LlamaSampler sampler,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var samplerScope = sampler;
        var state = new DecodeState(this, sampler, options.RenderSpecialTokens);
        try
        {
            // Let the caller's thread go before the (possibly long) prefill.
            await Task.Yield();
            state.Prefill(prompt, cancellationToken);
            var emitter = new TokenEmitter(options);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var token = state.SampleNext(out var pieceLength);
                var emitted = emitter.Emit(token, state.IsEog(token), state.Piece.AsSpan(0, Math.Max(0, pieceLength)));
                if (emitted.Finish is null && !state.TryFeed(token))
                {
                    emitted = emitter.ContextFull(emitted);
                }

                yield return emitted;
                if (emitted.Finish is not null)
                {
                    yield break;
                }
            }
        }
        finally
        {
            state.Dispose();
        }
    }

    /// <summary>
    /// The allocation-free per-token core, kept out of the iterator so it can use pointers: it holds references on the
    /// native handles for the whole generation and reuses the context's native batch.
    /// </summary>
    private sealed unsafe class DecodeState : IDisposable
    {
        private readonly LlamaContext _owner;
        private readonly IntPtr _ctx;
        private readonly IntPtr _sampler;
        private readonly IntPtr _vocab;
        private readonly LlamaBatch* _batch;
        private readonly byte _special;
        private readonly int _vocabSize;
        private bool _ctxRef, _samplerRef, _batchRef, _modelRef;
        private int _position;

        public DecodeState(LlamaContext owner, LlamaSampler sampler, bool renderSpecial)
        {
            // Two streams interleaving on one KV cache would corrupt each other; fail loudly instead of locking.
            if (Interlocked.Exchange(ref owner._generating, 1) != 0)
            {
                throw new InvalidOperationException("This context is already generating. Use one LlamaContext per concurrent stream (or a batching scheduler).");
            }

            _owner = owner;
            owner._handle.DangerousAddRef(ref _ctxRef);
            sampler.Handle.DangerousAddRef(ref _samplerRef);
            owner._batch.DangerousAddRef(ref _batchRef);
            owner._model.Handle.DangerousAddRef(ref _modelRef);
            _ctx = owner._handle.DangerousGetHandle();
            _sampler = sampler.Handle.DangerousGetHandle();
            _vocab = owner._model.Vocab;
            _batch = owner._batch.Batch;
            _special = renderSpecial ? (byte)1 : (byte)0;
            _vocabSize = owner._model.VocabSize;
            Piece = new byte[256];
            _samplerOwner = sampler;
        }

        private readonly LlamaSampler _samplerOwner;

        public byte[] Piece { get; }

        public void Prefill(IReadOnlyList<int> prompt, CancellationToken ct)
        {
            LlamaNative.llama_memory_clear(LlamaNative.llama_get_memory(_ctx), true);
            var n = prompt.Count;
            var chunk = _owner.BatchSize;
            for (var start = 0; start < n; start += chunk)
            {
                ct.ThrowIfCancellationRequested();
                var count = Math.Min(chunk, n - start);
                for (var k = 0; k < count; k++)
                {
                    _batch->token[k] = prompt[start + k];
                    _batch->pos[k] = start + k;
                    _batch->n_seq_id[k] = 1;
                    _batch->seq_id[k][0] = 0;
                    _batch->logits[k] = (sbyte)(start + k == n - 1 ? 1 : 0);
                }

                _batch->n_tokens = count;
                var rc = _owner._handle.Decode(_ctx, *_batch);
                if (rc != 0)
                {
                    throw new LlamaDecodeException(rc);
                }
            }

            _position = n;
            _lastIndex = (n - 1) % chunk;
        }

        private int _lastIndex;

        public int SampleNext(out int pieceLength)
        {
            var token = LlamaNative.llama_sampler_sample(_sampler, _ctx, _lastIndex);
            fixed (byte* p = Piece)
            {
                var len = (uint)token < (uint)_vocabSize ? LlamaNative.llama_token_to_piece(_vocab, token, p, Piece.Length, 0, _special) : 0;
                pieceLength = len < 0 ? 0 : len;
            }

            return token;
        }

        public bool IsEog(int token) => LlamaNative.llama_vocab_is_eog(_vocab, token);

        /// <summary>Decodes the sampled token at the next position; false when the context is full.</summary>
        public bool TryFeed(int token)
        {
            if (_position >= _owner.ContextSize)
            {
                return false;
            }

            _batch->token[0] = token;
            _batch->pos[0] = _position;
            _batch->n_seq_id[0] = 1;
            _batch->seq_id[0][0] = 0;
            _batch->logits[0] = 1;
            _batch->n_tokens = 1;
            var rc = _owner._handle.Decode(_ctx, *_batch);
            if (rc == 1)
            {
                return false;
            }

            if (rc != 0)
            {
                throw new LlamaDecodeException(rc);
            }

            _position++;
            _lastIndex = 0;
            return true;
        }

        public void Dispose()
        {
            Volatile.Write(ref _owner._generating, 0);
            if (_ctxRef) { _owner._handle.DangerousRelease(); _ctxRef = false; }
            if (_samplerRef) { _samplerOwner.Handle.DangerousRelease(); _samplerRef = false; }
            if (_batchRef) { _owner._batch.DangerousRelease(); _batchRef = false; }
            if (_modelRef) { _owner._model.Handle.DangerousRelease(); _modelRef = false; }
        }
    }
}
