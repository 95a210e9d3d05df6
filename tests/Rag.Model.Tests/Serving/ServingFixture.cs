using Rag.Model.Native;
using Rag.Model.Inference;
using Rag.Model.Sampling;

namespace Rag.Model.Tests.Serving;

/// <summary>One stories260K model shared by the serving tests of a class.</summary>
public sealed class Stories260KFixture : IDisposable
{
    public Stories260KFixture()
    {
        LlamaBackend.Initialize();
        Model = LlamaModel.Load(TestModels.Stories260K);
    }

    public LlamaModel Model { get; }

    public static readonly string[] Prompts =
    [
        "Once upon a time",
        "The little dog",
        "Lily went to the park",
        "Tom had a red ball",
        "One day, a bird",
        "The sun was hot and",
        "Mom said to Ben",
        "There was a big tree",
    ];

    public static GenerationOptions Greedy(int maxTokens = 48) => new() { MaxTokens = maxTokens, Sampling = SamplingOptions.Greedy };

    public void Dispose() => Model.Dispose();
}
