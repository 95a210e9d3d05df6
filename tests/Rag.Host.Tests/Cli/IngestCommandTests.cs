using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rag.Core.Embeddings;
using Rag.Core.Indexing;
using Rag.Ingest.Chunking;
using Rag.Ingest.Pipeline;
using Rag.Ingest.Storage;
using Rag.Host.Cli;
using Rag.Ingest;

namespace Rag.Host.Tests.Cli;

public class IngestCommandTests
{
    private static readonly VectorIndexFactory Managed = new(new VectorIndexOptions { Backend = VectorBackend.Managed });

    private static string SamplesDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "samples", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("samples/data not found above the test folder.");
    }

    private static async Task<(int Code, string Out, string Err)> Run(IngestCommand command, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = await command.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Ingests_the_sample_documents_and_reports_each_one()
    {
        using var dir = new TempDir();
        using var embedder = new HashingEmbeddingGenerator(64);
        var command = new IngestCommand(embedder: embedder, vectorFactory: Managed);
        string index = Path.Combine(dir.Path, "idx");
        string samples = SamplesDir();

        var (code, output, err) = await Run(command, samples, "--index", index, "--max-tokens", "128");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, err);
        var lines = output.TrimEnd().Split('\n');
        Assert.Contains(lines, l => l.StartsWith("indexed\tgetting-started.html\t", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("indexed\tinstallation.md\t", StringComparison.Ordinal));
        Assert.StartsWith("summary: ", lines[^1], StringComparison.Ordinal);
        int files = Directory.GetFiles(samples).Length;
        Assert.Contains($"{files} indexed, 0 unchanged, 0 failed", lines[^1], StringComparison.Ordinal);

        using (var store = IndexStore.Open(new IndexStoreOptions { Directory = index }))
        {
            Assert.True(store.Verify().IsConsistent(expectVectors: true));
            var hit = store.Keyword.Search("repository is locked stale lock", 1)[0].Chunk;
            Assert.Equal("troubleshooting-faq.md", hit.DocumentId);
            Assert.Equal(["Troubleshooting and FAQ", "Backups", "A backup failed with \"repository is locked\""], hit.HeadingPath);
            Assert.Empty(store.Keyword.Search("analytics pricing imprint blog", 5));
        }

        var again = await Run(command, samples, "--index", index, "--max-tokens", "128");
        Assert.Contains($"0 indexed, {files} unchanged", again.Out, StringComparison.Ordinal);

        var deleted = await Run(command, "--delete", "release-notes.md", "--index", index);
        Assert.Contains("deleted\trelease-notes.md", deleted.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "at least one file")]
    [InlineData(new[] { "--bogus" }, "Unknown option")]
    [InlineData(new[] { "x", "--max-tokens" }, "--max-tokens needs")]
    [InlineData(new[] { "/definitely/not/here" }, "neither a file nor a folder")]
    [InlineData(new[] { ".", "--max-tokens", "16", "--overlap", "16" }, "must be smaller than MaxTokens")]
    public async Task Usage_errors_return_2_with_a_message(string[] args, string message)
    {
        var (code, output, err) = await Run(new IngestCommand(vectorFactory: Managed), args);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains(message, err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed_documents_do_not_change_the_exit_code()
    {
        using var dir = new TempDir();
        dir.File("in/ok.txt", "fine text");
        dir.File("in/empty.md", "");
        var (code, output, _) = await Run(new IngestCommand(vectorFactory: Managed), Path.Combine(dir.Path, "in"), "--index", Path.Combine(dir.Path, "idx"), "--no-vectors");
        Assert.Equal(0, code);
        Assert.Contains("failed\tempty.md\t", output, StringComparison.Ordinal);
        Assert.Contains("(keywords only)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRagIngest_wires_a_working_pipeline()
    {
        using var dir = new TempDir();
        var services = new ServiceCollection();
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(new HashingEmbeddingGenerator(32));
        services.AddSingleton(Managed);
        services.AddRagIngest(o =>
        {
            o.IndexDirectory = Path.Combine(dir.Path, "idx");
            o.Chunking.MaxTokens = 64;
            o.Chunking.OverlapTokens = 8;
        });
        using var sp = services.BuildServiceProvider();
        var pipeline = sp.GetRequiredService<IngestionPipeline>();
        var results = new List<IngestResult>();
        await foreach (var r in pipeline.IngestAsync([new Core.Documents.RagDocument("a", "The quetzal is a bird.")]))
        {
            results.Add(r);
        }

        Assert.Equal(IngestStatus.Indexed, Assert.Single(results).Status);
        Assert.Equal(32, sp.GetRequiredService<IndexStore>().Vectors!.Dimension);
        Assert.IsType<MarkdownChunker>(sp.GetRequiredService<IChunker>());
    }

    [Fact]
    public void AddRagIngest_rejects_invalid_options()
    {
        var services = new ServiceCollection();
        services.AddRagIngest(o => o.Chunking.OverlapTokens = o.Chunking.MaxTokens);
        using var sp = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<RagIngestOptions>>().Value);
        Assert.Contains("OverlapTokens", ex.Message, StringComparison.Ordinal);
    }
}
