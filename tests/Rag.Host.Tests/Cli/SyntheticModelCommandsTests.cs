using System.Text.Json;
using Rag.Model.Gguf;

namespace Rag.Host.Tests.Cli;

public sealed class SyntheticModelCommandsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rag-gguf-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        // The words after `rag models`; `info` is `rag models gguf` (the raw GGUF reader).
        string[] verb = args.Length > 0 && args[0] == "info" ? ["gguf"] : [];
        return await CliTests.RunAsync(["models", .. verb, .. (verb.Length > 0 ? args[1..] : args)]);
    }

    [Fact]
    public async Task Info_lists_stories260K_metadata()
    {
        var (code, output, _) = await Run("info", "--model", TestModels.Stories260K);
        Assert.Equal(0, code);
        Assert.Contains("architecture: llama", output, StringComparison.Ordinal);
        Assert.Contains("context length: 2048", output, StringComparison.Ordinal);
        Assert.Contains("vocab size: 512", output, StringComparison.Ordinal);
        Assert.Contains("tensors: 48 (48 F32)", output, StringComparison.Ordinal);
        Assert.Contains("file type: F32", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_json_is_parseable()
    {
        var (code, output, _) = await Run("info", "--model", TestModels.Llama2TinyRandom, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("F16", doc.RootElement.GetProperty("file_type").GetString());
        Assert.Equal(32000, doc.RootElement.GetProperty("vocab_size").GetInt64());
        Assert.Equal(12, doc.RootElement.GetProperty("tensor_count").GetInt32());
    }

    [Fact]
    public async Task Info_on_a_non_gguf_file_fails_with_the_reason()
    {
        var path = Path.Combine(_dir, "notes.txt");
        await File.WriteAllTextAsync(path, "not a model");
        var (code, output, error) = await Run("info", "--model", path);
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("not a GGUF file", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Synth_custom_llama_then_info_reads_it_back()
    {
        var path = Path.Combine(_dir, "custom.gguf");
        var (code, output, _) = await Run("synth", "--shape", "custom", "--layers", "3", "--embd", "32", "--heads", "4", "--kv-heads", "2",
            "--ffn", "48", "--ctx", "256", "--tokenizer-from", "builtin", "--chat-template", "chatml", "--out", path, "--seed", "5");
        Assert.Equal(0, code);
        Assert.Contains($"path: {path}", output, StringComparison.Ordinal);
        var info = GgufModelInfo.FromFile(path);
        Assert.Equal((3L, 32L, 4L, 2L, 48L, 256L), (info.BlockCount!.Value, info.EmbeddingLength!.Value, info.HeadCount!.Value, info.HeadCountKv!.Value, info.FeedForwardLength!.Value, info.ContextLength!.Value));
        Assert.Contains("<|im_start|>", info.ChatTemplate, StringComparison.Ordinal);
        Assert.Equal("F16", info.FileType);
        Assert.Equal(new FileInfo(path).Length, info.FileSizeBytes);
    }

    [Fact]
    public async Task Synth_reranker_and_lora_commands_write_files()
    {
        var rerank = Path.Combine(_dir, "rr.gguf");
        Assert.Equal(0, (await Run("synth", "--shape", "reranker-tiny", "--layers", "1", "--out", rerank)).Code);
        Assert.Equal(4, GgufModelInfo.FromFile(rerank).PoolingType);

        var lora = Path.Combine(_dir, "lora.gguf");
        var (code, _, _) = await Run("lora", "--base", TestModels.Stories260K, "--out", lora, "--rank", "2", "--targets", "attn_v.weight");
        Assert.Equal(0, code);
        var info = GgufModelInfo.FromFile(lora);
        Assert.Equal("adapter", info.Type);
        Assert.Equal(10, info.TensorCount);
    }

    [Theory]
    [InlineData("synth", "--shape", "gpt5", "--out", "x.gguf")]
    [InlineData("synth", "--out", "x.gguf")]
    [InlineData("synth", "--shape", "custom", "--layers", "many", "--out", "x.gguf")]
    [InlineData("frobnicate")]
    public async Task Bad_arguments_exit_2_with_a_message(params string[] args)
    {
        var (code, output, error) = await Run(args);
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }
}
