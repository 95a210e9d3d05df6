using System.Numerics.Tensors;
using System.Text.Json;

namespace Rag.Host.Tests.Cli;

public class EmbedCommandTests
{
    private static async Task<float[]> EmbedAsync(params string[] args)
    {
        var (code, output, err) = await CliTests.RunAsync(["embed", .. args]);
        Assert.True(code == 0, err);
        return JsonSerializer.Deserialize<float[]>(output.Trim())!;
    }

    [Fact]
    public async Task Prints_the_minilm_vector_as_json_and_reproduces_the_quickstart_similarities()
    {
        // sentence-transformers' quickstart: "The weather is lovely today." against the two other sentences.
        var weather = await EmbedAsync("--text", "The weather is lovely today.");
        var sunny = await EmbedAsync("--model", "minilm", "--text", "It's so sunny outside!");
        var stadium = await EmbedAsync("--text", "He drove to the stadium.");

        Assert.Equal(384, weather.Length);
        Assert.Equal(1f, TensorPrimitives.Norm(weather), 4);
        Assert.Equal(0.6660, TensorPrimitives.CosineSimilarity(weather, sunny), 0.001);
        Assert.Equal(0.1046, TensorPrimitives.CosineSimilarity(weather, stadium), 0.001);
        Assert.Equal(0.1411, TensorPrimitives.CosineSimilarity(sunny, stadium), 0.001);
    }

    [Fact]
    public async Task Arctic_embeds_queries_with_their_prefix()
    {
        const string text = "how long are daily snapshots kept";
        var document = await EmbedAsync("--model", "arctic-xs", "--text", text);
        var query = await EmbedAsync("--model", "arctic-xs", "--text", text, "--query");
        var minilm = await EmbedAsync("--text", text, "--query");

        Assert.Equal(384, query.Length);
        Assert.True(TensorPrimitives.CosineSimilarity(document, query) < 0.99, "the query prefix changes the vector");
        Assert.True(TensorPrimitives.CosineSimilarity(query, minilm) < 0.99, "arctic-xs is not MiniLM");

        // MiniLM has no prefixes: a query is embedded like a document.
        var minilmDocument = await EmbedAsync("--text", text);
        Assert.True(TensorPrimitives.CosineSimilarity(minilm, minilmDocument) > 0.99999);
    }

    [Fact]
    public async Task An_unknown_model_is_one_clear_error()
    {
        var (code, output, err) = await CliTests.RunAsync("embed", "--model", "/nonexistent/model.onnx", "--text", "x");

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("rag: error: embedding model '/nonexistent/model.onnx' is neither a built-in model", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }
}

public class ConvertCommandTests
{
    [Fact]
    public async Task Converts_minilm_to_a_llama_cpp_bert_gguf()
    {
        using var dir = new TempDir();
        string gguf = Path.Combine(dir.Path, "minilm-f16.gguf");

        var (code, output, err) = await CliTests.RunAsync("models", "convert", "--from-onnx", "minilm", "--out", gguf, "--type", "F16");

        Assert.True(code == 0, err);
        Assert.StartsWith(Path.GetFullPath(gguf) + "\tF16\t", output, StringComparison.Ordinal);
        Assert.Contains("all-MiniLM-L6-v2: 6 layers, 384 dimensions, 12 heads, 30522 tokens, Mean pooling", output, StringComparison.Ordinal);
        Assert.Contains("Apache-2.0", err, StringComparison.Ordinal);
        Assert.InRange(new FileInfo(gguf).Length, 40_000_000, 50_000_000);

        // The GGUF header says what llama.cpp needs: a BERT encoder with mean pooling.
        (code, output, err) = await CliTests.RunAsync("models", "gguf", "--model", gguf);
        Assert.True(code == 0, err);
        Assert.Contains("bert", output, StringComparison.Ordinal);
    }
}
