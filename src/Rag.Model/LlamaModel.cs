using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Model.Native;
using Rag.Model.Native.Interop;
using Rag.Model.Chat;
using Rag.Model.Inference;
using Rag.Model.Native.Internal;

namespace Rag.Model;

/// <summary>
/// A GGUF model loaded through llama.cpp (memory-mapped by default). Thread-safe for tokenization and for creating
/// contexts; each <see cref="LlamaContext"/> is used by one caller at a time. Disposing the model while contexts are
/// alive is safe: the native model is freed when the last context is gone.
/// </summary>
public sealed unsafe class LlamaModel : IDisposable
{
    /// <summary>
    /// Template used when the model has no chat template of its own: ChatML
    /// (<c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>, ending with <c>&lt;|im_start|&gt;assistant\n</c>).
    /// It is llama.cpp's built-in "chatml" and the most widely trained format among small open models.
    /// </summary>
    public const string FallbackChatTemplate = "chatml";

    private static readonly byte[] GgufMagic = "GGUF"u8.ToArray();
    private readonly SafeLlamaModelHandle _handle;
    private readonly ILogger _logger;

    private LlamaModel(SafeLlamaModelHandle handle, string path, ILogger logger)
    {
        _handle = handle;
        _logger = logger;
        Path = path;
        Vocab = LlamaNative.llama_model_get_vocab(handle.DangerousGetHandle());
        Metadata = ReadMetadata();
    }

    /// <summary>The file the model was loaded from.</summary>
    public string Path { get; }

    /// <summary>Architecture, sizes, vocabulary, template and all GGUF key/values.</summary>
    public LlamaModelMetadata Metadata { get; }

    /// <summary>Vocabulary size.</summary>
    public int VocabSize => Metadata.VocabSize;

    /// <summary>Whether <see cref="Dispose"/> has been called.</summary>
    public bool IsDisposed => _handle.IsClosed;

    internal SafeLlamaModelHandle Handle => _handle;

    // The vocab pointer lives inside the model and stays valid while the model handle is alive.
    internal IntPtr Vocab { get; }

    internal ILogger Logger => _logger;

    /// <summary>Loads a GGUF model.</summary>
    /// <param name="path">The .gguf file.</param>
    /// <param name="options">Load settings; null for defaults.</param>
    /// <param name="logger">Receives our messages about this load (llama.cpp's own log goes to the backend's logger; its errors are quoted in exceptions).</param>
    /// <param name="progress">Receives load progress from 0 to 1.</param>
    /// <param name="cancellationToken">Aborts the load (llama.cpp checks it between tensors).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="LlamaModelLoadException">The file is not GGUF, is truncated, or llama.cpp rejected it.</exception>
    /// <exception cref="LlamaNativeLibraryException">The native libraries could not be loaded.</exception>
    public static LlamaModel Load(string path, LlamaModelLoadOptions? options = null, ILogger? logger = null,
        IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new LlamaModelLoadOptions();
        options.Validate();
        logger ??= NullLogger.Instance;
        LlamaBackend.EnsureInitialized();
        cancellationToken.ThrowIfCancellationRequested();

        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Model file not found: {full}", full);
        }

        CheckMagic(full);

        var p = LlamaNative.llama_model_default_params();
        p.n_gpu_layers = options.GpuLayers;
        p.load_mode = options.UseMmap ? 1 : 0;
        p.vocab_only = options.VocabOnly ? (byte)1 : (byte)0;
        p.check_tensors = options.CheckTensors ? (byte)1 : (byte)0;

        var state = new LoadProgressState(progress, cancellationToken);
        var gch = GCHandle.Alloc(state);
        IntPtr model;
        IReadOnlyList<string> nativeErrors;
        try
        {
            delegate* unmanaged[Cdecl]<float, void*, byte> cb = &OnProgress;
            p.progress_callback = (IntPtr)cb;
            p.progress_callback_user_data = GCHandle.ToIntPtr(gch);
            using var capture = LlamaLog.Capture();
            model = LlamaNative.llama_model_load_from_file(full, p);
            nativeErrors = capture.Lines.ToArray();
        }
        finally
        {
            gch.Free();
        }

        if (model == IntPtr.Zero)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw Classify(full, nativeErrors);
        }

        var result = new LlamaModel(new SafeLlamaModelHandle(model), full, logger);
        logger.LogInformation("Loaded {Path}: {Arch}, {Params} parameters, {Type}, ctx {Ctx}, vocab {Vocab}",
            full, result.Metadata.Architecture, result.Metadata.ParameterCount, result.Metadata.FileTypeName,
            result.Metadata.ContextLength, result.Metadata.VocabSize);
        return result;
    }

    /// <summary>Loads a model on a worker thread.</summary>
    public static Task<LlamaModel> LoadAsync(string path, LlamaModelLoadOptions? options = null, ILogger? logger = null,
        IProgress<float>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Load(path, options, logger, progress, cancellationToken), cancellationToken);

    /// <summary>Creates an inference context (KV cache, threads, batch buffers) for this model.</summary>
    public LlamaContext CreateContext(LlamaContextOptions? options = null) => new(this, options ?? new LlamaContextOptions());

    /// <summary>Converts text to token ids.</summary>
    /// <param name="text">Text to tokenize.</param>
    /// <param name="addSpecial">Add BOS/EOS where the model's tokenizer says so (llama.cpp's add_special).</param>
    /// <param name="parseSpecial">Recognise special-token text such as <c>&lt;s&gt;</c> instead of treating it as plain text.</param>
    public int[] Tokenize(string text, bool addSpecial = true, bool parseSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var byteCount = Encoding.UTF8.GetByteCount(text);
        var bytes = ArrayPool<byte>.Shared.Rent(byteCount + 1);
        try
        {
            Encoding.UTF8.GetBytes(text, bytes);
            return Tokenize(bytes.AsSpan(0, byteCount), addSpecial, parseSpecial);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Converts UTF-8 bytes to token ids.</summary>
    public int[] Tokenize(ReadOnlySpan<byte> utf8, bool addSpecial = true, bool parseSpecial = false)
    {
        using var lease = new HandleLease(_handle, nameof(LlamaModel));
        var capacity = utf8.Length + 4;
        while (true)
        {
            var tokens = new int[capacity];
            int n;
            fixed (byte* t = utf8)
            fixed (int* o = tokens)
            {
                n = LlamaNative.llama_tokenize(Vocab, t, utf8.Length, o, capacity, addSpecial, parseSpecial);
            }

            if (n == int.MinValue)
            {
                throw new ArgumentException("The text produces more tokens than fit in an int32.", nameof(utf8));
            }

            if (n >= 0)
            {
                return n == capacity ? tokens : tokens.AsSpan(0, n).ToArray();
            }

            capacity = -n;
        }
    }

    /// <summary>Converts token ids back to text (the inverse of <see cref="Tokenize(string, bool, bool)"/>).</summary>
    /// <param name="tokens">Token ids.</param>
    /// <param name="removeSpecial">Drop a leading BOS / trailing EOS that the tokenizer would add.</param>
    /// <param name="unparseSpecial">Render special tokens as their text.</param>
    public string Detokenize(ReadOnlySpan<int> tokens, bool removeSpecial = false, bool unparseSpecial = false)
    {
        using var lease = new HandleLease(_handle, nameof(LlamaModel));
        ValidateTokens(tokens);
        var capacity = Math.Max(16, tokens.Length * 8);
        while (true)
        {
            var buf = ArrayPool<byte>.Shared.Rent(capacity);
            try
            {
                int n;
                fixed (int* t = tokens)
                fixed (byte* b = buf)
                {
                    n = LlamaNative.llama_detokenize(Vocab, t, tokens.Length, b, buf.Length, removeSpecial, unparseSpecial);
                }

                if (n >= 0)
                {
                    return Encoding.UTF8.GetString(buf, 0, n);
                }

                capacity = -n;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buf);
            }
        }
    }

    /// <summary>
    /// Writes the UTF-8 bytes of one token into <paramref name="destination"/> and returns their count. A piece may be
    /// part of a multi-byte character (byte-fallback tokens); join pieces before decoding.
    /// </summary>
    public int TokenToPiece(int token, Span<byte> destination, bool special = false)
    {
        using var lease = new HandleLease(_handle, nameof(LlamaModel));
        ValidateToken(token);
        fixed (byte* d = destination)
        {
            var n = LlamaNative.llama_token_to_piece(Vocab, token, d, destination.Length, 0, special ? (byte)1 : (byte)0);
            if (n < 0)
            {
                throw new ArgumentException($"The destination needs {-n} bytes.", nameof(destination));
            }

            return n;
        }
    }

    /// <summary>The UTF-8 bytes of one token.</summary>
    public byte[] TokenToPiece(int token, bool special = false)
    {
        Span<byte> buf = stackalloc byte[256];
        var n = TokenToPiece(token, buf, special);
        return buf[..n].ToArray();
    }

    /// <summary>The raw vocabulary text of a token (e.g. "▁Once" or "&lt;0x0A&gt;").</summary>
    public string TokenText(int token)
    {
        using var lease = new HandleLease(_handle, nameof(LlamaModel));
        ValidateToken(token);
        return Marshal.PtrToStringUTF8(LlamaNative.llama_vocab_get_text(Vocab, token)) ?? string.Empty;
    }

    /// <summary>True when the token ends generation (EOS, EOT and similar).</summary>
    public bool IsEndOfGeneration(int token)
    {
        using var lease = new HandleLease(_handle, nameof(LlamaModel));
        return LlamaNative.llama_vocab_is_eog(Vocab, token);
    }

    /// <summary>
    /// Formats a conversation with a chat template through llama_chat_apply_template. The template is, in order:
    /// <paramref name="template"/>, the model's own template, or <see cref="FallbackChatTemplate"/> (ChatML) when the
    /// model has none or llama.cpp does not recognise the model's template (a warning is logged).
    /// </summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="addAssistantPrefix">End with the tokens that open an assistant turn.</param>
    /// <param name="template">A template text or a built-in name ("chatml", "llama2", "zephyr", …); null for the model's.</param>
    /// <exception cref="ArgumentException">An explicit template is not supported by llama.cpp.</exception>
    public string ApplyChatTemplate(IReadOnlyList<LlamaChatMessage> messages, bool addAssistantPrefix = true, string? template = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var lease = new HandleLease(_handle, nameof(LlamaModel));
        if (template is not null)
        {
            return ApplyTemplate(template, messages, addAssistantPrefix)
                ?? throw new ArgumentException($"llama.cpp does not support the chat template '{Shorten(template)}'.", nameof(template));
        }

        var own = Metadata.ChatTemplate;
        if (own is not null)
        {
            var r = ApplyTemplate(own, messages, addAssistantPrefix);
            if (r is not null)
            {
                return r;
            }

            _logger.LogWarning("llama.cpp does not recognise the chat template of {Path}; using {Fallback}.", Path, FallbackChatTemplate);
        }

        return ApplyTemplate(FallbackChatTemplate, messages, addAssistantPrefix)!;
    }

    /// <summary>Frees the model (deferred while contexts created from it are alive). Safe to call twice.</summary>
    public void Dispose() => _handle.Dispose();

    internal void ValidateToken(int token)
    {
        if ((uint)token >= (uint)VocabSize)
        {
            throw new ArgumentOutOfRangeException(nameof(token), token, $"Token ids must be in [0, {VocabSize}).");
        }
    }

    internal void ValidateTokens(ReadOnlySpan<int> tokens)
    {
        foreach (var t in tokens)
        {
            ValidateToken(t);
        }
    }

    private static string? ApplyTemplate(string template, IReadOnlyList<LlamaChatMessage> messages, bool addAssistant)
    {
        var handles = new List<IntPtr>(messages.Count * 2 + 1);
        try
        {
            var native = new LlamaChatMessageNative[messages.Count];
            var total = 0;
            for (var i = 0; i < messages.Count; i++)
            {
                var role = Marshal.StringToCoTaskMemUTF8(messages[i].Role);
                var content = Marshal.StringToCoTaskMemUTF8(messages[i].Content);
                handles.Add(role);
                handles.Add(content);
                native[i] = new LlamaChatMessageNative { role = role, content = content };
                total += messages[i].Role.Length + messages[i].Content.Length;
            }

            var tmpl = Marshal.StringToCoTaskMemUTF8(template);
            handles.Add(tmpl);
            var capacity = Math.Max(256, total * 4);
            while (true)
            {
                var buf = new byte[capacity];
                int n;
                fixed (LlamaChatMessageNative* m = native)
                fixed (byte* b = buf)
                {
                    n = LlamaNative.llama_chat_apply_template((byte*)tmpl, m, (nuint)native.Length, addAssistant, b, buf.Length);
                }

                if (n < 0)
                {
                    return null;
                }

                if (n <= capacity)
                {
                    return Encoding.UTF8.GetString(buf, 0, n);
                }

                capacity = n;
            }
        }
        finally
        {
            foreach (var h in handles)
            {
                Marshal.FreeCoTaskMem(h);
            }
        }
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "…";

    private static void CheckMagic(string path)
    {
        Span<byte> head = stackalloc byte[4];
        int read;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            read = fs.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        }

        if (read < 4 || !head.SequenceEqual(GgufMagic))
        {
            throw new LlamaModelLoadException(path, LlamaModelLoadFailure.NotGguf,
                $"{path} is not a GGUF model (it does not start with the 'GGUF' magic). Convert it with llama.cpp's convert_hf_to_gguf.py or download a .gguf file.");
        }
    }

    private static LlamaModelLoadException Classify(string path, IReadOnlyList<string> errors)
    {
        var log = string.Join(" | ", errors.Where(e => e.Length > 0).TakeLast(6));
        var lower = log.ToLowerInvariant();
        var reason = lower.Contains("within the file bounds") || lower.Contains("failed to read") || lower.Contains("unexpected end")
                     || lower.Contains("truncat") || lower.Contains("file bounds") || lower.Contains("eof")
            ? LlamaModelLoadFailure.Truncated
            : lower.Contains("unknown model architecture") || lower.Contains("unsupported")
                ? LlamaModelLoadFailure.Unsupported
                : LlamaModelLoadFailure.Failed;
        var what = reason switch
        {
            LlamaModelLoadFailure.Truncated => "is truncated or incomplete (its contents end before the tensors it declares); download it again",
            LlamaModelLoadFailure.Unsupported => "uses an architecture or tensor type this llama.cpp build does not support",
            _ => "could not be loaded by llama.cpp",
        };
        return new LlamaModelLoadException(path, reason, $"The GGUF file {path} {what}. llama.cpp said: {(log.Length > 0 ? log : "(nothing)")}");
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static byte OnProgress(float progress, void* userData)
    {
        try
        {
            var state = (LoadProgressState)GCHandle.FromIntPtr((IntPtr)userData).Target!;
            state.Progress?.Report(progress);
            return state.Token.IsCancellationRequested ? (byte)0 : (byte)1;
        }
        catch
        {
            return 1;
        }
    }

    private LlamaModelMetadata ReadMetadata()
    {
        var m = _handle.DangerousGetHandle();
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var count = LlamaNative.llama_model_meta_count(m);
        for (var i = 0; i < count; i++)
        {
            var key = ReadString((b, n) => LlamaNative.llama_model_meta_key_by_index(m, i, b, n));
            var val = ReadString((b, n) => LlamaNative.llama_model_meta_val_str_by_index(m, i, b, n));
            if (key is not null)
            {
                values[key] = val ?? string.Empty;
            }
        }

        var ftype = LlamaNative.llama_model_ftype(m);
        var tmplPtr = LlamaNative.llama_model_chat_template(m, null);
        var vocabType = LlamaNative.llama_vocab_type(Vocab);
        var layers = LlamaNative.llama_model_n_layer(m);
        return new LlamaModelMetadata
        {
            Architecture = values.GetValueOrDefault("general.architecture", "unknown"),
            Name = values.GetValueOrDefault("general.name"),
            Description = ReadString((b, n) => LlamaNative.llama_model_desc(m, b, n)) ?? string.Empty,
            ContextLength = LlamaNative.llama_model_n_ctx_train(m),
            EmbeddingSize = LlamaNative.llama_model_n_embd(m),
            LayerCount = layers,
            // n_head(0) aborts the process inside llama.cpp when there are no layers (vocab-only loads).
            HeadCount = layers > 0 ? LlamaNative.llama_model_n_head(m) : 0,
            KvHeadCount = layers > 0 ? LlamaNative.llama_model_n_head_kv(m) : 0,
            VocabSize = LlamaNative.llama_vocab_n_tokens(Vocab),
            VocabType = vocabType switch { 0 => "NONE", 1 => "SPM", 2 => "BPE", 3 => "WPM", 4 => "UGM", 5 => "RWKV", 6 => "PLAMO2", _ => vocabType.ToString() },
            ParameterCount = (long)LlamaNative.llama_model_n_params(m),
            SizeBytes = (long)LlamaNative.llama_model_size(m),
            FileType = ftype,
            FileTypeName = Marshal.PtrToStringUTF8(LlamaNative.llama_ftype_name(ftype)) ?? ftype.ToString(),
            ChatTemplate = tmplPtr == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(tmplPtr),
            BosToken = LlamaNative.llama_vocab_bos(Vocab),
            EosToken = LlamaNative.llama_vocab_eos(Vocab),
            AddsBos = LlamaNative.llama_vocab_get_add_bos(Vocab),
            Values = values,
        };
    }

    private delegate int StringReader(byte* buffer, nuint size);

    private static string? ReadString(StringReader reader)
    {
        var size = 256;
        while (true)
        {
            var buf = new byte[size];
            int n;
            fixed (byte* b = buf)
            {
                n = reader(b, (nuint)size);
            }

            if (n < 0)
            {
                return null;
            }

            if (n < size)
            {
                return Encoding.UTF8.GetString(buf, 0, n);
            }

            size = n + 1;
        }
    }

    private sealed record LoadProgressState(IProgress<float>? Progress, CancellationToken Token);
}
