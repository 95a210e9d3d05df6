using System.ComponentModel.DataAnnotations;
using Rag.Model.Native.Internal;

namespace Rag.Model;

/// <summary>
/// One llama.cpp model role, bound from <c>Rag:Model:Chat</c>, <c>Rag:Model:Embedding</c> or <c>Rag:Model:Reranker</c>
/// as the named options <see cref="LlamaModelRoles.Chat"/>, <see cref="LlamaModelRoles.Embedding"/> and
/// <see cref="LlamaModelRoles.Reranker"/> (the same sections and names Rag.LLamaSharp reads, so one configuration file
/// works with either backend). Validated at start (DataAnnotations); a role without a model fails with a clear
/// message when its service is first resolved.
/// </summary>
public sealed class LlamaModelOptions
{
    /// <summary>The GGUF file: a path, or a bare file name looked up in <c>./models</c> and then in the shared models folder.</summary>
    /// <value>No default: a role without a model fails when it is first resolved.</value>
    public string? ModelPath { get; set; }

    /// <summary>Layers offloaded to the GPU: -1 all of them, 0 none (a no-op on CPU-only machines).</summary>
    /// <value>-1.</value>
    [Range(-1, int.MaxValue)]
    public int GpuLayers { get; set; } = -1;

    /// <summary>Context (KV cache) size in tokens, shared by the sequences of the chat role.</summary>
    /// <value>4096.</value>
    [Range(16, 1 << 20)]
    public int ContextSize { get; set; } = 4096;

    /// <summary>Most tokens in one decode step (chat) or one batched embedding decode (embedding, reranker).</summary>
    /// <value>2048.</value>
    [Range(1, 1 << 16)]
    public int BatchSize { get; set; } = 2048;

    /// <summary>Most compute threads; with <see cref="AdaptiveThreads"/> fewer are used while other processes keep cores busy.</summary>
    /// <value>The logical processors, at most 8 (2 on a 2-core machine).</value>
    [Range(1, 1024)]
    public int Threads { get; set; } = ThreadDefaults.Threads;

    /// <summary>Use fewer threads than <see cref="Threads"/> while other processes keep cores busy.</summary>
    /// <value>true.</value>
    public bool AdaptiveThreads { get; set; } = true;

    /// <summary>Chat role: requests decoding at once (further requests wait in the queue).</summary>
    /// <value>16.</value>
    [Range(1, 256)]
    public int MaxSequences { get; set; } = 16;

    /// <summary>Chat role: temperature when a request sets none.</summary>
    /// <value>0.7.</value>
    [Range(0.0, 100.0)]
    public float DefaultTemperature { get; set; } = 0.7f;

    /// <summary>Chat role: output tokens when a request sets no limit.</summary>
    /// <value>512.</value>
    [Range(1, 1 << 20)]
    public int DefaultMaxOutputTokens { get; set; } = 512;
}

/// <summary>The roles, option names and configuration sections of <see cref="LlamaModelOptions"/>.</summary>
public static class LlamaModelRoles
{
    /// <summary>The generation model behind <c>IChatClient</c>: section <c>Rag:Model:Chat</c>.</summary>
    public const string Chat = "Chat";

    /// <summary>The embedding model behind <c>IEmbeddingGenerator</c>: section <c>Rag:Model:Embedding</c>.</summary>
    public const string Embedding = "Embedding";

    /// <summary>The reranker (a model with a classifier head) behind <c>IReranker</c>: section <c>Rag:Model:Reranker</c>.</summary>
    public const string Reranker = "Reranker";

    /// <summary>The native backend's section, <c>Rag:Model:Native</c> (<see cref="Native.LlamaBackendOptions"/>).</summary>
    public const string Native = "Native";

    /// <summary>The section of a role relative to the <c>Rag</c> section, e.g. <c>Model:Chat</c>.</summary>
    public static string RelativeSectionOf(string role) => "Model:" + role;
}
