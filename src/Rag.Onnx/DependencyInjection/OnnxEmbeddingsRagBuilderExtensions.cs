using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rag.Onnx.Embeddings;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ONNX Runtime embedder on an <see cref="IRagBuilder"/>.</summary>
public static class OnnxEmbeddingsRagBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="OnnxEmbeddingGenerator"/> as the <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of
    /// strings, with <see cref="OnnxEmbeddingOptions"/> bound from <c>Rag:Model:Embedding</c> and validated on start. The
    /// model loads when the generator is first resolved; a missing or damaged model fails there, with a message naming
    /// the file and the fix.
    /// </summary>
    /// <param name="builder">The builder from <c>services.AddRag(configuration)</c>.</param>
    /// <param name="configure">Changes applied after binding (for example a model path from the command line).</param>
    public static IRagBuilder AddOnnxEmbeddings(this IRagBuilder builder, Action<OnnxEmbeddingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<OnnxEmbeddingOptions>().Bind(builder.Configuration.GetSection(OnnxEmbeddingOptions.SectionName));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OnnxEmbeddingOptions>, OnnxEmbeddingOptionsValidator>());
        builder.Services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<OnnxEmbeddingOptions>>().Value;
            return new OnnxEmbeddingGenerator(o.ResolveModel(), o, sp.GetService<ILogger<OnnxEmbeddingGenerator>>());
        });
        builder.Services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<OnnxEmbeddingGenerator>());
        return builder;
    }
}
