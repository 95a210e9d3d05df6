using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Composes Rag's parts over one service collection and one configuration tree, in the style of the
/// Microsoft.Extensions.AI and Npgsql builders. <see cref="RagServiceCollectionExtensions.AddRag"/> returns it; every
/// library and satellite adds itself through an extension method on it (for example <c>.AddIndexStore()</c>,
/// <c>.AddLlamaChat()</c>, <c>.AddOnnxEmbeddings()</c>).
/// </summary>
public interface IRagBuilder
{
    /// <summary>The service collection the parts register into.</summary>
    IServiceCollection Services { get; }

    /// <summary>
    /// The <c>Rag</c> configuration section. Each part binds its options from its own sub-section (for example
    /// <c>Model:Chat</c>, <c>Model:Embedding</c>, <c>Index</c>, <c>Retrieval</c>, <c>Ingest</c>).
    /// </summary>
    IConfiguration Configuration { get; }
}
