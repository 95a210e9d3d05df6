using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rag.Core.Configuration;
using Rag.Model;
using Rag.Model.Native;

namespace Rag.Server.Hosting;

/// <summary>
/// The one place where the server wires its models. Today it composes the chat model and the optional embedding model
/// through <c>AddRagModelServing</c>, bound from <c>Rag:Model:Chat</c> and <c>Rag:Model:Embedding</c>; when the
/// composition root grows <c>.AddLlamaChat()</c> / <c>.AddLlamaEmbeddings()</c>, only this file changes.
/// </summary>
/// <remarks>
/// Keys: <c>Rag:Model:Chat:Path</c> (default <c>$RAG_CHAT_MODEL</c>, then <c>stories260K-llama-f32.gguf</c> in ./models or
/// ../shared/models), <c>Rag:Model:Chat:Scheduler:*</c> (<see cref="Rag.Model.Serving.LlamaSchedulerOptions"/>),
/// <c>Rag:Model:Chat:Client:*</c> (<see cref="Rag.Model.Chat.LlamaChatClientOptions"/>), <c>Rag:Model:Embedding:Path</c>
/// (none: the lexical hashing embedder, which is what <c>rag ingest</c> indexes with), <c>Rag:Model:Native:Path</c>.
/// </remarks>
internal static class ModelComposition
{
    public const string DefaultChatModelFile = "stories260K-llama-f32.gguf";

    public static IRagBuilder AddServerModels(this IRagBuilder builder)
    {
        var chat = builder.Configuration.GetSection("Model:Chat");
        var embedding = builder.Configuration.GetSection("Model:Embedding");
        var native = builder.Configuration["Model:Native:Path"];
        var chatPath = RagPaths.ResolveModel(chat["Path"], LlamaModelOptions.ChatModelEnvironmentVariable, DefaultChatModelFile);
        var embeddingPath = embedding["Path"] is { Length: > 0 } e ? Path.GetFullPath(e) : null;

        // The native backend is process-wide; initialise it before any model loads.
        builder.Services.AddSingleton(sp => LlamaBackend.Initialize(
            new LlamaBackendOptions { NativeLibraryPath = native, NativeLogLevel = LogLevel.Error, EnableGpu = chat.GetValue("Gpu", false) },
            sp.GetService<ILoggerFactory>()?.CreateLogger("Rag.Model.LlamaBackend")));

        builder.Services.AddRagModelServing(o =>
        {
            o.ChatModelPath = chatPath;
            o.EmbeddingModelPath = embeddingPath;
            chat.GetSection("Scheduler").Bind(o.Scheduler);
            chat.GetSection("Client").Bind(o.Chat);
            embedding.GetSection("Options").Bind(o.Embeddings);
        });

        if (embeddingPath is null)
        {
            builder.AddHashingEmbeddings();
        }

        builder.Services.AddSingleton(sp => new ServedModels(sp, chatPath, embeddingPath));
        return builder;
    }

    /// <summary>Loads the models (and the backend first) so that readiness means "models loaded".</summary>
    public static void Load(IServiceProvider services)
    {
        _ = services.GetRequiredService<Rag.Model.Native.LlamaBackendInfo>();
        _ = services.GetRequiredService<IChatClient>();
        _ = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
    }
}
