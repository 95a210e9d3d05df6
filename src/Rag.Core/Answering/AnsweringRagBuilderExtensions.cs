using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rag.Core.Answering;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the answerer on an <see cref="IRagBuilder"/>.</summary>
public static class AnsweringRagBuilderExtensions
{
    /// <summary>The configuration section of <see cref="AnswerOptions"/>, under <c>Rag</c>.</summary>
    public const string AnswerSection = "Answer";

    /// <summary>
    /// Registers <see cref="RagAnswerer"/> (options from <c>Rag:Answer</c>, validated at start) over the registered
    /// <see cref="IChatClient"/>; pair it with the <c>IRetriever</c> from <c>AddIndexStore</c> for the sources.
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
            sp.GetService<ILogger<RagAnswerer>>()));
        return builder;
    }
}

/// <summary>Validates <see cref="AnswerOptions"/> (DataAnnotations).</summary>
[OptionsValidator]
internal sealed partial class AnswerOptionsValidator : IValidateOptions<AnswerOptions>
{
}
