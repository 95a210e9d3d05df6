using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Rag.LLamaSharp;

/// <summary>
/// One model role served by LLamaSharp, bound from the same sections Rag.Model reads (<c>Rag:Model:Chat</c>,
/// <c>Rag:Model:Embedding</c>, <c>Rag:Model:Reranker</c>) as the named options <see cref="LLamaSharpRoles.Chat"/>,
/// <see cref="LLamaSharpRoles.Embedding"/> and <see cref="LLamaSharpRoles.Reranker"/>, so one configuration file
/// works with either backend.
/// </summary>
public sealed class LLamaSharpModelOptions
{
    /// <summary>The GGUF file: a path, or a bare file name looked up in <c>./models</c> and then in the shared models folder.</summary>
    /// <value>No default: a role without a model fails with a clear message when it is first used.</value>
    public string? ModelPath { get; set; }

    /// <summary>Layers offloaded to the GPU: -1 all of them, 0 none (the CPU backend ignores it).</summary>
    /// <value>-1.</value>
    [Range(-1, int.MaxValue)]
    public int GpuLayers { get; set; } = -1;

    /// <summary>Context (KV cache) size in tokens.</summary>
    /// <value>4096.</value>
    [Range(16, 1 << 20)]
    public int ContextSize { get; set; } = 4096;

    /// <summary>Tokens per llama_decode.</summary>
    /// <value>512.</value>
    [Range(1, 1 << 16)]
    public int BatchSize { get; set; } = 512;

    /// <summary>
    /// Compute threads. LLamaSharp's native libraries are OpenMP builds with a fixed count; unlike Rag.Model's adaptive
    /// threads they do not back off when other processes hold cores (docs/BENCHMARKS.md).
    /// </summary>
    /// <value>The logical processors, at most 8.</value>
    [Range(1, 1024)]
    public int Threads { get; set; } = Math.Clamp(Environment.ProcessorCount, 1, 8);
}

/// <summary>The roles, option names and configuration sections of <see cref="LLamaSharpModelOptions"/>.</summary>
public static class LLamaSharpRoles
{
    /// <summary>The generation model behind <c>IChatClient</c>: section <c>Rag:Model:Chat</c>.</summary>
    public const string Chat = "Chat";

    /// <summary>The embedding model behind <c>IEmbeddingGenerator</c> and the token counter: section <c>Rag:Model:Embedding</c>.</summary>
    public const string Embedding = "Embedding";

    /// <summary>The reranker (a model with a classifier head) behind <c>IReranker</c>: section <c>Rag:Model:Reranker</c>.</summary>
    public const string Reranker = "Reranker";

    /// <summary>The section of a role relative to the <c>Rag</c> section, e.g. <c>Model:Chat</c>.</summary>
    public static string RelativeSectionOf(string role) => "Model:" + role;
}

/// <summary>Validates <see cref="LLamaSharpModelOptions"/> (DataAnnotations, source-generated).</summary>
[OptionsValidator]
internal sealed partial class LLamaSharpModelOptionsValidator : IValidateOptions<LLamaSharpModelOptions>;
