using System.Reflection;
using Microsoft.Extensions.AI;
using Rag.Onnx.Embeddings;
using Rag.Onnx.Embeddings.Internal;

namespace Rag.Onnx.Tests;

public sealed class ModelErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rag-onnx-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void An_unknown_name_that_is_no_file_names_the_choices()
    {
        var e = Assert.Throws<OnnxModelException>(() => OnnxEmbeddingModel.Resolve("mini-lm"));
        Assert.Contains("minilm, arctic-xs", e.Message, StringComparison.Ordinal);
        Assert.Same(OnnxEmbeddingModel.ArcticXs, OnnxEmbeddingModel.Resolve("ARCTIC-XS"));
    }

    [Fact]
    public void A_model_file_without_its_vocabulary_names_the_missing_file()
    {
        var onnx = Path.Combine(_dir, "model.onnx");
        File.WriteAllBytes(onnx, [1, 2, 3]);
        var e = Assert.Throws<OnnxModelException>(() => new OnnxEmbeddingGenerator(OnnxEmbeddingModel.FromFiles(onnx)));
        Assert.Contains(Path.Combine(_dir, "vocab.txt"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_refused_clearly()
    {
        var onnx = Path.Combine(_dir, "model.onnx");
        File.WriteAllText(onnx, "this is not a protobuf");
        File.WriteAllBytes(Path.Combine(_dir, "vocab.txt"), OnnxEmbeddingModel.MiniLm.Vocabulary.ReadAll());
        var e = Assert.Throws<OnnxModelException>(() => new OnnxEmbeddingGenerator(OnnxEmbeddingModel.FromFiles(onnx)));
        Assert.Contains("not a model ONNX Runtime can load", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_copied_to_files_embeds_as_the_packaged_one()
    {
        var onnx = Path.Combine(_dir, "minilm.onnx");
        File.WriteAllBytes(onnx, OnnxEmbeddingModel.MiniLm.ReadWeights());
        File.WriteAllBytes(Path.Combine(_dir, "vocab.txt"), OnnxEmbeddingModel.MiniLm.Vocabulary.ReadAll());
        var model = OnnxEmbeddingModel.FromFiles(onnx) with { MaxTokens = 256 };
        using var fromFiles = new OnnxEmbeddingGenerator(model, new OnnxEmbeddingOptions { Threads = 1 });
        using var packaged = new OnnxEmbeddingGenerator(OnnxEmbeddingModel.MiniLm, new OnnxEmbeddingOptions { Threads = 1 });
        Assert.Equal("minilm", fromFiles.Model.ModelId);
        var a = await fromFiles.GenerateAsync(["same weights, other place"]);
        var b = await packaged.GenerateAsync(["same weights, other place"]);
        Assert.Equal(a[0].Vector.ToArray(), b[0].Vector.ToArray());
        Assert.NotEqual(fromFiles.Identity.ModelId, packaged.Identity.ModelId);
        Assert.Equal(fromFiles.Identity.ContentHash, packaged.Identity.ContentHash); // same bytes and settings
    }

    [Fact]
    public void Packaged_resources_are_read_without_loading_the_assembly_and_checked()
    {
        var assembly = typeof(ModelErrorTests).Assembly.Location;
        var source = ModelSource.Resource(assembly, "Rag.Onnx.Tests.tiny-vocab.txt", new string('0', 64), "rebuild the tests");
        var e = Assert.Throws<OnnxModelException>(() => source.ReadAll());
        Assert.Contains("damaged", e.Message, StringComparison.Ordinal);

        var (data, sha) = ModelSource.Resource(assembly, "Rag.Onnx.Tests.tiny-vocab.txt", null!, "x").Read();
        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "world"], OnnxEmbeddingModel.ParseVocabulary(data, "tiny"));
        Assert.Equal(64, sha.Length);

        var missing = Assert.Throws<OnnxModelException>(() => ModelSource.Resource(assembly, "no.such.resource", null!, "x").ReadAll());
        Assert.Contains("no embedded resource 'no.such.resource'", missing.Message, StringComparison.Ordinal);
        var notAssembly = Path.Combine(_dir, "fake.dll");
        File.WriteAllText(notAssembly, "MZ but nothing else");
        Assert.Throws<OnnxModelException>(() => ModelSource.Resource(notAssembly, "x", null!, "x").ReadAll());
    }

    [Fact]
    public async Task A_disposed_generator_refuses_work()
    {
        var generator = new OnnxEmbeddingGenerator(OnnxEmbeddingModel.MiniLm, new OnnxEmbeddingOptions { Threads = 1 });
        generator.Dispose();
        generator.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => generator.GenerateAsync(["x"]));
    }

    [Fact]
    public void The_weights_notice_ships_beside_the_assembly()
    {
        var dir = Path.GetDirectoryName(typeof(OnnxEmbeddingModel).Assembly.Location)!;
        var notice = File.ReadAllText(Path.Combine(dir, "NOTICE-weights.md"));
        Assert.Contains("Apache License, Version 2.0", notice, StringComparison.Ordinal);
        Assert.Contains("Apache License", File.ReadAllText(Path.Combine(dir, "LICENSE-weights-Apache-2.0.txt")), StringComparison.Ordinal);
        Assert.Null(Assembly.GetEntryAssembly()?.GetReferencedAssemblies().FirstOrDefault(a => a.Name!.StartsWith("SentenceTransformers", StringComparison.Ordinal)));
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name!.StartsWith("SentenceTransformers", StringComparison.Ordinal));
    }
}
