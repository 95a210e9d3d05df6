using Rag.Model.Chat;
using Rag.Model.Embeddings;

namespace Rag.Model.Serving;

/// <summary>
/// Settings of <c>AddRagModelServing</c>: which GGUF files back <c>IChatClient</c>, <c>IEmbeddingGenerator</c> and
/// <c>IReranker</c>, and how each is run. A path left empty falls back to an environment variable
/// (<see cref="ChatModelEnvironmentVariable"/>, …); a service whose model is not configured is not registered.
/// </summary>
public sealed class RagModelServingOptions
{
    /// <summary>Environment variable read when <see cref="ChatModelPath"/> is empty.</summary>
    public const string ChatModelEnvironmentVariable = "RAG_CHAT_MODEL";

    /// <summary>Environment variable read when <see cref="EmbeddingModelPath"/> is empty.</summary>
    public const string EmbeddingModelEnvironmentVariable = "RAG_EMBEDDING_MODEL";

    /// <summary>Environment variable read when <see cref="RerankerModelPath"/> is empty.</summary>
    public const string RerankerModelEnvironmentVariable = "RAG_RERANKER_MODEL";

    /// <summary>GGUF chat/generation model.</summary>
    public string? ChatModelPath { get; set; }

    /// <summary>GGUF embedding model.</summary>
    public string? EmbeddingModelPath { get; set; }

    /// <summary>GGUF reranker model (with a classifier head).</summary>
    public string? RerankerModelPath { get; set; }

    /// <summary>Batch scheduler settings of the chat model.</summary>
    public LlamaSchedulerOptions Scheduler { get; set; } = new();

    /// <summary>Chat client settings.</summary>
    public LlamaChatClientOptions Chat { get; set; } = new();

    /// <summary>Embedding settings (also used by the reranker, with rank pooling).</summary>
    public LlamaEmbedderOptions Embeddings { get; set; } = new();

    /// <summary>Set by <c>AddRagModelServing</c> when <c>AddRagModel</c> already registered a chat model.</summary>
    internal bool AllowSharedChatModel { get; set; }

    /// <summary>GPU layers to offload for every model (default 0).</summary>
    public int GpuLayers { get; set; }

    /// <summary>The chat model path in effect (setting, else environment).</summary>
    public string? ResolvedChatModelPath => Resolve(ChatModelPath, ChatModelEnvironmentVariable);

    /// <summary>The embedding model path in effect.</summary>
    public string? ResolvedEmbeddingModelPath => Resolve(EmbeddingModelPath, EmbeddingModelEnvironmentVariable);

    /// <summary>The reranker model path in effect.</summary>
    public string? ResolvedRerankerModelPath => Resolve(RerankerModelPath, RerankerModelEnvironmentVariable);

    /// <summary>Returns the problems with these settings (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var paths = new[] { ("ChatModelPath", ResolvedChatModelPath), ("EmbeddingModelPath", ResolvedEmbeddingModelPath), ("RerankerModelPath", ResolvedRerankerModelPath) };
        if (paths.All(p => p.Item2 is null) && !AllowSharedChatModel)
        {
            errors.Add($"No model configured: set ChatModelPath, EmbeddingModelPath or RerankerModelPath (or {ChatModelEnvironmentVariable}, {EmbeddingModelEnvironmentVariable}, {RerankerModelEnvironmentVariable}).");
        }

        foreach (var (name, path) in paths)
        {
            if (path is not null && !File.Exists(path))
            {
                errors.Add($"{name}: model file not found: {Path.GetFullPath(path)}");
            }
        }

        if (GpuLayers < 0)
        {
            errors.Add("GpuLayers must be >= 0.");
        }

        void Check(string name, Action validate)
        {
            try
            {
                validate();
            }
            catch (ArgumentException ex)
            {
                errors.Add($"{name}: {ex.Message}");
            }
        }

        Check(nameof(Scheduler), () => (Scheduler ?? throw new ArgumentNullException(nameof(Scheduler))).Validate());
        Check(nameof(Chat), () => (Chat ?? throw new ArgumentNullException(nameof(Chat))).Validate());
        Check(nameof(Embeddings), () => (Embeddings ?? throw new ArgumentNullException(nameof(Embeddings))).Validate());
        return errors;
    }

    private static string? Resolve(string? configured, string variable)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var env = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(env) ? null : env;
    }
}
