using Microsoft.Extensions.Logging;
using Rag.Core.Retrieval;
using Rag.Model.Embeddings;
using Rag.Model.Native;
using Rag.Model.Native.Interop;
using Rag.Model.Native.Internal;

namespace Rag.Model.Reranking;

/// <summary>
/// Cross-encoder reranking with a GGUF reranker model (rank pooling: llama.cpp attaches the classifier head and returns
/// one score per sequence). Each (query, passage) pair is one sequence, and pairs of one call and of concurrent calls
/// share decode batches. Scores are the classifier's raw output (higher is more relevant) and are deterministic.
/// </summary>
public sealed class LlamaReranker : IReranker, IAsyncDisposable, IDisposable
{
    private readonly LlamaEmbedder _embedder;
    private readonly bool _ownsEmbedder;

    /// <summary>Creates a reranker over <paramref name="model"/> (which must have a classifier head).</summary>
    /// <exception cref="ArgumentException">The model cannot rerank.</exception>
    public LlamaReranker(LlamaModel model, LlamaEmbedderOptions? options = null, ILogger<LlamaEmbedder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = options ?? new LlamaEmbedderOptions();
        o.Pooling = LlamaPoolingType.Rank;
        o.Normalize = false;
        _embedder = new LlamaEmbedder(model, o, logger);
        _ownsEmbedder = true;
    }

    /// <summary>Wraps an embedder that already uses rank pooling (not disposed with the reranker).</summary>
    public LlamaReranker(LlamaEmbedder embedder)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        if (embedder.Pooling != LlamaPoolingType.Rank)
        {
            throw new ArgumentException($"A reranker needs rank pooling; the embedder pools with {embedder.Pooling}.", nameof(embedder));
        }

        _embedder = embedder;
    }

    /// <summary>The underlying batched embedder.</summary>
    public LlamaEmbedder Embedder => _embedder;

    /// <inheritdoc />
    public async Task<IReadOnlyList<float>> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(passages);
        if (passages.Count == 0)
        {
            return [];
        }

        var inputs = passages.Select(p => FormatPair(query, p ?? throw new ArgumentException("A passage is null.", nameof(passages)))).ToArray();
        var rows = await _embedder.EmbedTokensPooledAsync(inputs, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => r[0]).ToArray();
    }

    /// <summary>
    /// The token layout llama.cpp's server uses for a pair when the model has no "rerank" template:
    /// [BOS] query [EOS] [SEP] passage [EOS], each special token only where the vocabulary adds it.
    /// </summary>
    public int[] FormatPair(string query, string passage)
    {
        var model = _embedder.Model;
        using var lease = new HandleLease(model.Handle, nameof(LlamaModel));
        var vocab = model.Vocab;
        var q = model.Tokenize(query, addSpecial: false);
        var d = model.Tokenize(passage, addSpecial: false);
        var eos = LlamaNative.llama_vocab_eos(vocab);
        if (eos < 0)
        {
            eos = LlamaNative.llama_vocab_sep(vocab);
        }

        var addEos = LlamaNative.llama_vocab_get_add_eos(vocab);
        var result = new List<int>(q.Length + d.Length + 4);
        if (LlamaNative.llama_vocab_get_add_bos(vocab))
        {
            result.Add(LlamaNative.llama_vocab_bos(vocab));
        }

        result.AddRange(q);
        if (addEos)
        {
            result.Add(eos);
        }

        if (LlamaNative.llama_vocab_get_add_sep(vocab))
        {
            result.Add(LlamaNative.llama_vocab_sep(vocab));
        }

        result.AddRange(d);
        if (addEos)
        {
            result.Add(eos);
        }

        return result.ToArray();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _ownsEmbedder ? _embedder.DisposeAsync() : ValueTask.CompletedTask;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsEmbedder)
        {
            _embedder.Dispose();
        }
    }
}
