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
/// <c>Rag:Model:Chat:Client:*</c> (<see cref="Rag.Model.Chat.LlamaChatClientOptions"/>); embeddings like the CLI's:
/// <c>Rag:Model:Embedding:Model</c> = <c>minilm</c> (default, ONNX Runtime), <c>arctic-xs</c>, an ONNX BERT path, or
/// <c>hashing</c> (lexical, tests only), or <c>Rag:Model:Embedding:Path</c> = a GGUF embedding model served by llama.cpp
/// (<c>Rag:Model:Embedding:Options:*</c>: <see cref="Rag.Model.Embeddings.LlamaEmbedderOptions"/>); <c>Rag:Model:Native:Path</c>.
/// </remarks>
internal static class ModelComposition
{
    public const string DefaultChatModelFile = "stories260K-llama-f32.gguf";

    /// <summary>The explicit opt-in for the lexical hashing embedder (as the CLI's <c>--embedder hashing</c>).</summary>
    public const string HashingName = "hashing";

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

        string embeddingId;
        if (embeddingPath is not null)
        {
            embeddingId = Path.GetFileNameWithoutExtension(embeddingPath);
        }
        else if (string.Equals(embedding["Model"], HashingName, StringComparison.OrdinalIgnoreCase))
        {
            builder.AddHashingEmbeddings();
            embeddingId = HashingName;
        }
        else
        {
            builder.AddOnnxEmbeddings();
            var model = embedding["Model"] is { Length: > 0 } m ? m : Rag.Onnx.Embeddings.OnnxEmbeddingModel.MiniLmName;
            embeddingId = File.Exists(model) ? Path.GetFileNameWithoutExtension(model) : model;
        }

        builder.Services.AddSingleton(sp => new ServedModels(sp, chatPath, embeddingId));
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
