using Rag.Core.Embeddings;
using Rag.Core.Indexing;
using Rag.Core.Storage;
using Rag.Host.Cli;

namespace Rag.Host.Tests.Cli;

public class IngestCommandTests
{
    private static readonly IndexStoreOptions Managed = new() { Vectors = new VectorIndexOptions { Backend = VectorBackend.Managed } };

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
        var command = new IngestCommand(embedder: embedder, store: Managed);
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
        using (var snapshot = store.AcquireSnapshot())
        {
            Assert.True(snapshot.Verify().IsConsistent(expectVectors: true));
            var hit = snapshot.Keyword.Search("repository is locked stale lock", 1)[0].Chunk;
            Assert.Equal("troubleshooting-faq.md", hit.DocumentId);
            Assert.Equal(["Troubleshooting and FAQ", "Backups", "A backup failed with \"repository is locked\""], hit.HeadingPath);
            Assert.Empty(snapshot.Keyword.Search("analytics pricing imprint blog", 5));
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
        var (code, output, err) = await Run(new IngestCommand(store: Managed), args);
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
        var (code, output, _) = await Run(new IngestCommand(store: Managed), Path.Combine(dir.Path, "in"), "--index", Path.Combine(dir.Path, "idx"), "--no-vectors");
        Assert.Equal(0, code);
        Assert.Contains("failed\tempty.md\t", output, StringComparison.Ordinal);
        Assert.Contains("(keywords only)", output, StringComparison.Ordinal);
    }
}
