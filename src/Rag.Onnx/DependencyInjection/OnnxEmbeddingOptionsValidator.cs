using Microsoft.Extensions.Options;
using Rag.Onnx.Embeddings;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Validates <see cref="OnnxEmbeddingOptions"/> from its DataAnnotations (source-generated).</summary>
[OptionsValidator]
internal sealed partial class OnnxEmbeddingOptionsValidator : IValidateOptions<OnnxEmbeddingOptions>
{
}
