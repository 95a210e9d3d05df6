using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rag.Core.Answering;
using Rag.Core.Documents;
using Rag.Core.Retrieval;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the answerer on an <see cref="IRagBuilder"/>.</summary>
public static class AnsweringRagBuilderExtensions
{
    /// <summary>The configuration section of <see cref="AnswerOptions"/>, under <c>Rag</c>.</summary>
    public const string AnswerSection = "Answer";

    /// <summary>
    /// Registers <see cref="RagAnswerer"/> (options from <c>Rag:Answer</c>, validated at start) over the registered
    /// <see cref="IChatClient"/>, with the registered <see cref="ITokenCounter"/> for the prompt budget, the embedding
    /// generator for relevance and the <c>IRetriever</c> from <c>AddIndexStore</c> for the sources when they are
    /// registered; and <see cref="ExtractiveAnswerer"/> over the embedding generator.
    /// </summary>
    public static IRagBuilder AddAnswerer(this IRagBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<AnswerOptions>().Bind(builder.Configuration.GetSection(AnswerSection)).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AnswerOptions>, AnswerOptionsValidator>());
        builder.Services.TryAddSingleton(sp => new RagAnswerer(
            sp.GetService<IChatClient>() ?? throw new InvalidOperationException(
                "The answerer needs a chat model, and no IChatClient is registered: configure the chat model (Rag:Model:Chat)."),
            sp.GetRequiredService<IOptions<AnswerOptions>>().Value,
            sp.GetService<ILogger<RagAnswerer>>(),
            sp.GetService<ITokenCounter>(),
            sp.GetService<IEmbeddingGenerator<string, Embedding<float>>>(),
            sp.GetService<IRetriever>()));
        builder.Services.TryAddSingleton(sp => new ExtractiveAnswerer(
            sp.GetService<IEmbeddingGenerator<string, Embedding<float>>>(),
            sp.GetRequiredService<IOptions<AnswerOptions>>().Value));
        return builder;
    }
}

/// <summary>Validates <see cref="AnswerOptions"/> (DataAnnotations).</summary>
[OptionsValidator]
internal sealed partial class AnswerOptionsValidator : IValidateOptions<AnswerOptions>
{
}
