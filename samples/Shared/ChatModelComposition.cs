// The one place the samples (and the SDK tests) add the in-process llama.cpp chat model to AddRag's builder.
// Settings are read from Rag:Model:Chat (ModelPath, Threads, ContextSize, MaxSequences, DefaultTemperature), the shape
// of Rag.Model's builder extension AddLlamaChat(); once that extension is on main, this file becomes `builder.AddLlamaChat()`.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rag.Core.Configuration;
using Rag.Model.Serving;

namespace Rag.Samples;

internal static class ChatModelComposition
{
    /// <summary>The model used when none is configured: the tiny TinyStories test model from the shared models folder.</summary>
    public const string DefaultModel = "stories260K-llama-f32.gguf";

    /// <summary>Registers IChatClient over llama.cpp with the model and settings of <c>Rag:Model:Chat</c>.</summary>
    public static IRagBuilder AddChatModel(this IRagBuilder builder)
    {
        var chat = builder.Configuration.GetSection("Model:Chat");
        var path = RagPaths.ResolveModel(chat["ModelPath"], RagModelServingOptions.ChatModelEnvironmentVariable, DefaultModel);
        builder.Services.AddRagModelServing(o =>
        {
            o.ChatModelPath = path;
            o.Scheduler = new LlamaSchedulerOptions
            {
                Threads = chat.GetValue("Threads", 1),
                ContextSize = chat.GetValue("ContextSize", 2048),
                MaxSequences = chat.GetValue("MaxSequences", 2),
                BatchSize = 512,
            };
            o.Chat.DefaultTemperature = chat.GetValue("DefaultTemperature", 0f);
        });
        return builder;
    }
}
