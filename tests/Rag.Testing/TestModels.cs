namespace Rag.Testing;

/// <summary>The small real models the tests run on, and the test projects' own data files.</summary>
public static class TestModels
{
    /// <summary>stories260K (F32): coherent tiny stories, deterministic greedy output.</summary>
    public static string Stories260K => SharedFiles.Model("stories260K-llama-f32.gguf");

    /// <summary>llama-2-tiny-random (F16): random weights with the real 32,000-token LLaMA-2 vocabulary.</summary>
    public static string Llama2TinyRandom => SharedFiles.Model("llama-2-tiny-random-f16.gguf");

    /// <summary>A file of the running test project's <c>TestData</c> folder (copied to its output).</summary>
    public static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);
}
