using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Rag.Core.Answering;
using Rag.Core.Retrieval;
using Rag.Core.Storage;
using Rag.SemanticKernel.Plugins;
using Rag.SemanticKernel.VectorData;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts Rag into Semantic Kernel: registers a <see cref="Kernel"/> over the Rag services, <see cref="RagPlugin"/> and <see cref="RagVectorStoreCollection"/>.</summary>
public static class SemanticKernelRagBuilderExtensions
{
    /// <summary>The name <see cref="RagPlugin"/> is registered under in the kernel: its functions are <c>rag-search</c> and <c>rag-ask</c> to a model.</summary>
    public const string PluginName = "rag";

    /// <summary>
    /// Registers, over the Rag services of <paramref name="builder"/>:
    /// <list type="bullet">
    /// <item><see cref="Kernel"/> (transient, as Semantic Kernel recommends) whose services are the application's, so its
    /// prompt functions and chat use our <see cref="IChatClient"/> and its code can ask for our
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>; it holds <see cref="RagPlugin"/> as plugin <see cref="PluginName"/>;</item>
    /// <item><see cref="IChatCompletionService"/> over that chat client with Semantic Kernel's function invocation, so a
    /// tool call the model returns (<see cref="FunctionChoiceBehavior"/>) invokes the kernel's functions, <c>rag-ask</c> included;</item>
    /// <item><see cref="RagPlugin"/> (needs <c>AddIndexStore</c> and <c>AddAnswerer</c>);</item>
    /// <item><see cref="RagVectorStoreCollection"/> over the index store and the registered embedding generator.</item>
    /// </list>
    /// Nothing is resolved until asked for; a missing part fails then with the message of the part that needs it.
    /// </summary>
    /// <param name="builder">The Rag builder.</param>
    /// <param name="configureKernel">Adds more plugins or settings to each new kernel.</param>
    public static IRagBuilder AddSemanticKernel(this IRagBuilder builder, Action<IServiceProvider, Kernel>? configureKernel = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(sp => new RagPlugin(sp.GetRequiredService<IRetriever>(), sp.GetRequiredService<RagAnswerer>()));
        services.TryAddSingleton(sp => new RagVectorStoreCollection(
            sp.GetRequiredService<IndexStore>(),
            sp.GetService<IEmbeddingGenerator<string, Embedding<float>>>() ?? throw new InvalidOperationException(
                "The vector-store collection needs an embedding generator, and no IEmbeddingGenerator<string, Embedding<float>> is registered: " +
                "add the embedding model (AddOnnxEmbeddings(), Rag:Model:Embedding), or AddHashingEmbeddings() for tests."),
            sp.GetService<IOptions<RetrievalOptions>>()?.Value));
        services.TryAddSingleton<IChatCompletionService>(sp => new ChatClientBuilder(new KernelChatClient(
                sp.GetService<IChatClient>() ?? throw new InvalidOperationException(
                    "The kernel needs a chat model, and no IChatClient is registered: configure the chat model (Rag:Model:Chat).")))
            .UseKernelFunctionInvocation(sp.GetService<ILoggerFactory>())
            .Build(sp)
            .AsChatCompletionService(sp));
        services.TryAddTransient(sp =>
        {
            var plugins = new KernelPluginCollection();
            plugins.AddFromObject(sp.GetRequiredService<RagPlugin>(), PluginName);
            var kernel = new Kernel(sp, plugins);
            configureKernel?.Invoke(sp, kernel);
            return kernel;
        });
        return builder;
    }
}

/// <summary>The application's chat client as the kernel's function-invoking pipeline sees it: the container owns and disposes it, not the pipeline.</summary>
internal sealed class KernelChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    protected override void Dispose(bool disposing)
    {
    }
}
