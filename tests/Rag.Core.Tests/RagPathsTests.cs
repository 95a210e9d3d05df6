using Rag.Core.Configuration;

namespace Rag.Core.Tests;

public class RagPathsTests
{
    [Fact]
    public void Missing_model_error_names_the_file_and_the_fix()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => RagPaths.ResolveModel(null, null, "no-such-model-xyz.gguf"));
        Assert.Contains("no-such-model-xyz.gguf", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--model", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Explicit_missing_path_is_reported_as_is()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".gguf");
        var ex = Assert.Throws<FileNotFoundException>(() => RagPaths.ResolveModel(path, null, "x.gguf"));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shared_models_are_found_beside_the_repository()
    {
        var shared = RagPaths.SharedDirectory();
        Assert.NotNull(shared);
        var model = RagPaths.ResolveModel(null, null, "stories260K-llama-f32.gguf");
        Assert.True(File.Exists(model));
        Assert.StartsWith(shared!, model, StringComparison.Ordinal);
    }
}
