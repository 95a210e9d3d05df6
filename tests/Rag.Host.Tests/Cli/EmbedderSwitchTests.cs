using Rag.Core.Storage;

namespace Rag.Host.Tests.Cli;

/// <summary>Acceptance 4 of issue 10: an index keeps its embedder; switching is refused clearly, and --reindex switches.</summary>
public class EmbedderSwitchTests
{
    private static string Docs(TempDir dir)
    {
        string docs = Path.Combine(dir.Path, "docs");
        Directory.CreateDirectory(docs);
        File.WriteAllText(Path.Combine(docs, "backups.md"), "# Backups\n\nDaily snapshots are kept for fourteen days, hourly ones for a day.\n");
        File.WriteAllText(Path.Combine(docs, "install.md"), "# Installing\n\nDownload the archive, unpack it and put the binary on your PATH.\n");
        return docs;
    }

    private static EmbedderIdentityView Built(string index)
    {
        using var store = IndexStore.Open(new IndexStoreOptions { Directory = index });
        var e = store.Manifest.Embedder!;
        return new EmbedderIdentityView(e.ModelId, e.Dimension);
    }

    [Fact]
    public async Task Switching_embedders_on_an_index_is_refused_and_reindex_switches()
    {
        using var dir = new TempDir();
        string docs = Docs(dir);
        string index = Path.Combine(dir.Path, "idx");

        var (code, output, err) = await CliTests.RunAsync("ingest", docs, "--index", index, "--embedder", "hashing");
        Assert.True(code == 0, err);
        Assert.Contains("2 indexed", output, StringComparison.Ordinal);
        Assert.StartsWith("hashing-", Built(index).ModelId, StringComparison.Ordinal);

        // The default embedder is MiniLM: an index built with hashing refuses it, in one line that says how to fix it.
        (code, output, err) = await CliTests.RunAsync("ingest", docs, "--index", index);
        Assert.Equal(2, code);
        Assert.Contains("embedder: all-MiniLM-L6-v2", err, StringComparison.Ordinal);
        var error = err.Split('\n').Single(l => l.StartsWith("rag: error: ", StringComparison.Ordinal));
        Assert.Contains("was built with embedder 'hashing-", error, StringComparison.Ordinal);
        Assert.Contains("'all-MiniLM-L6-v2'", error, StringComparison.Ordinal);
        Assert.Contains("--reindex", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.StartsWith("hashing-", Built(index).ModelId, StringComparison.Ordinal);

        // Querying the hashing index with MiniLM is refused the same way.
        (code, _, err) = await CliTests.RunAsync("ask", "How long are daily snapshots kept?", "--index", index, "--embedder", "minilm", "--max-tokens", "4");
        Assert.Equal(2, code);
        Assert.Contains("rag: error: index ", err, StringComparison.Ordinal);
        Assert.Contains("was built with embedder 'hashing-", err, StringComparison.Ordinal);

        // --reindex rebuilds it with MiniLM.
        (code, output, err) = await CliTests.RunAsync("ingest", docs, "--index", index, "--reindex");
        Assert.True(code == 0, err);
        Assert.Contains("2 indexed", output, StringComparison.Ordinal);
        Assert.Equal(new EmbedderIdentityView("all-MiniLM-L6-v2", 384), Built(index));

        // ask picks the index's own embedder by default, and the retention document comes first.
        (code, output, err) = await CliTests.RunAsync("ask", "How long are daily snapshots kept?", "--index", index, "--max-tokens", "4");
        Assert.True(code == 0, err);
        var first = output.Split('\n').First(l => l.StartsWith("  [1] ", StringComparison.Ordinal));
        Assert.Contains("backups.md", first, StringComparison.Ordinal);
        Assert.Contains("vector #1", first, StringComparison.Ordinal);
    }

    private sealed record EmbedderIdentityView(string ModelId, int Dimension);
}
