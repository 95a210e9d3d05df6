using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The composition root: <c>services.AddRag(configuration)</c>.</summary>
public static class RagServiceCollectionExtensions
{
    /// <summary>The configuration section every Rag option lives under.</summary>
    public const string SectionName = "Rag";

    /// <summary>
    /// Starts composing Rag over <paramref name="services"/>, with options bound from the <c>Rag</c> section of
    /// <paramref name="configuration"/>. Add the parts with the builder's extension methods.
    /// </summary>
    public static IRagBuilder AddRag(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return new RagBuilder(services, configuration.GetSection(SectionName));
    }

    private sealed class RagBuilder(IServiceCollection services, IConfiguration configuration) : IRagBuilder
    {
        public IServiceCollection Services { get; } = services;

        public IConfiguration Configuration { get; } = configuration;
    }
}
