using Rag.Core.Storage;
using Rag.Ingest.Loaders;

namespace Rag.Ingest.Tests.Loaders;

public class DocumentIdTests
{
    private static List<string> Ids(IEnumerable<string> paths, string? root = null) =>
        DocumentLoaderRegistry.CreateDefault().EnumerateSources(paths, root).Select(s => s.DocumentId).ToList();

    [Fact]
    public void Same_named_files_in_two_folders_get_two_ids_relative_to_the_common_base()
    {
        using var dir = new TempDir();
        dir.File("d2a/notes.md", "# a");
        dir.File("d2b/notes.md", "# b");
        Assert.Equal(["d2a/notes.md", "d2b/notes.md"], Ids([Path.Combine(dir.Path, "d2a"), Path.Combine(dir.Path, "d2b")]));
        Assert.Equal(dir.Path, DocumentIds.CommonBase([Path.Combine(dir.Path, "d2a"), Path.Combine(dir.Path, "d2b", "notes.md")]));
    }

    [Fact]
    public void A_file_reached_through_its_folder_and_by_its_path_is_listed_once_with_one_id()
    {
        using var dir = new TempDir();
        string file = dir.File("docs/sub/a.md", "# a");
        string docs = Path.Combine(dir.Path, "docs");
        Assert.Equal(["sub/a.md"], Ids([docs, file]));
        Assert.Equal(["sub/a.md"], Ids([file], root: docs));
        Assert.Equal(["a.md"], Ids([file])); // alone, a file's own folder is the default root
    }

    [Fact]
    public void Folders_holding_an_index_store_and_hidden_entries_are_skipped()
    {
        using var dir = new TempDir();
        dir.File("a.md", "# A");
        dir.File("sub/b.txt", "b");
        dir.File(".git/c.md", "hidden");
        dir.File("image.png", "x");
        using (IndexStore.Open(new IndexStoreOptions { Directory = Path.Combine(dir.Path, "idx") }))
        {
        }

        dir.File("idx/stray.md", "not to be ingested: it sits in the index folder");
        Assert.Equal(["a.md", "sub/b.txt"], Ids([dir.Path]));
    }

    [Fact]
    public void Inputs_outside_an_explicit_root_are_refused()
    {
        using var dir = new TempDir();
        string a = dir.File("a/x.md", "# x");
        dir.File("b/y.md", "# y");
        var e = Assert.Throws<ArgumentException>(() => Ids([a], root: Path.Combine(dir.Path, "b")));
        Assert.Contains("outside the source root", e.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => Ids([Path.Combine(dir.Path, "missing")]));
    }
}
