using Rag.Core.Documents;
using Rag.Core.Indexing;

namespace Rag.Core.Tests.Indexing;

public class LuceneBm25IndexTests
{
    private static Chunk C(string doc, int ord, string text, string? title = null, Dictionary<string, string>? meta = null) =>
        new(Chunk.MakeId(doc, ord), doc, ord, text, ord * 100, text.Length)
        {
            Title = title,
            Metadata = meta ?? [],
            HeadingPath = ["Intro", $"Part {ord}"],
        };

    [Fact]
    public void Writes_are_invisible_until_commit_and_round_trip_all_fields()
    {
        using var index = LuceneBm25Index.CreateInMemory();
        index.Upsert([C("a.md", 0, "The quick brown fox jumps", "Foxes", new() { ["lang"] = "en" })]);
        Assert.Empty(index.Search("fox", 10));
        Assert.Equal(0, index.Count);

        index.Commit();
        var hit = Assert.Single(index.Search("foxes jumping", 10));
        Assert.Equal("a.md#0", hit.Chunk.Id);
        Assert.Equal("a.md", hit.Chunk.DocumentId);
        Assert.Equal("The quick brown fox jumps", hit.Chunk.Text);
        Assert.Equal("Foxes", hit.Chunk.Title);
        Assert.Equal(["Intro", "Part 0"], hit.Chunk.HeadingPath);
        Assert.Equal("en", hit.Chunk.Metadata["lang"]);
        Assert.Equal(25, hit.Chunk.Length);
        Assert.True(hit.Score > 0);
    }

    [Fact]
    public void Upsert_replaces_by_chunk_id_and_delete_removes()
    {
        using var index = LuceneBm25Index.CreateInMemory();
        index.Upsert([C("a", 0, "alpha apples"), C("a", 1, "alpha bananas"), C("b", 0, "beta apples")]);
        index.Commit();
        Assert.Equal(3, index.Count);

        index.Upsert([C("a", 0, "alpha cherries")]);
        index.Commit();
        Assert.Equal(3, index.Count);
        Assert.Equal(["b#0"], index.Search("apples", 10).Select(h => h.Chunk.Id));
        Assert.Equal("alpha cherries", index.Get("a#0")!.Text);

        index.DeleteDocument("a");
        index.Commit();
        Assert.Equal(["b#0"], index.ChunkIds());
        Assert.Null(index.Get("a#1"));

        index.DeleteChunks(["b#0"]);
        index.Commit();
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void Metadata_filter_matches_exactly()
    {
        using var index = LuceneBm25Index.CreateInMemory();
        index.Upsert(
        [
            C("a", 0, "solar panels", meta: new() { ["lang"] = "en", ["year"] = "2020" }),
            C("b", 0, "solar power", meta: new() { ["lang"] = "de", ["year"] = "2020" }),
            C("c", 0, "solar wind", meta: new() { ["lang"] = "en", ["year"] = "2021" }),
        ]);
        index.Commit();
        Assert.Equal(3, index.Search("solar", 10).Count);
        Assert.Equal(["a#0", "c#0"], index.Search("solar", 10, new Dictionary<string, string> { ["lang"] = "en" }).Select(h => h.Chunk.Id).Order());
        Assert.Equal(["a#0"], index.Search("solar", 10, new Dictionary<string, string> { ["lang"] = "en", ["year"] = "2020" }).Select(h => h.Chunk.Id));
        Assert.Empty(index.Search("solar", 10, new Dictionary<string, string> { ["lang"] = "EN" }));
    }

    [Fact]
    public void Rollback_discards_uncommitted_writes()
    {
        using var index = LuceneBm25Index.CreateInMemory();
        index.Upsert([C("a", 0, "kept text")]);
        index.Commit(new Dictionary<string, string> { ["generation"] = "1" });
        index.Upsert([C("b", 0, "dropped text")]);
        index.DeleteDocument("a");
        index.Rollback();
        index.Commit();
        Assert.Equal(["a#0"], index.ChunkIds());
        Assert.Equal("1", index.LastCommitData["generation"]);
    }

    [Fact]
    public void Commit_user_data_survives_reopen_and_uncommitted_writes_do_not()
    {
        using var temp = new TempDir();
        string dir = temp.Path;
        try
        {
            using (var index = LuceneBm25Index.Open(dir))
            {
                index.Upsert([C("a", 0, "persisted words")]);
                index.Commit(new Dictionary<string, string> { ["generation"] = "7" });
                index.Upsert([C("b", 0, "never committed")]);
            }

            using var reopened = LuceneBm25Index.Open(dir);
            Assert.Equal("7", reopened.LastCommitData["generation"]);
            Assert.Equal(["a#0"], reopened.ChunkIds());
            Assert.Single(reopened.Search("persisted", 5));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void RevertToCommit_restores_an_older_kept_commit()
    {
        using var index = LuceneBm25Index.CreateInMemory(new LuceneIndexOptions { KeepCommits = 3 });
        index.Upsert([C("a", 0, "first")]);
        index.Commit(new Dictionary<string, string> { ["generation"] = "1" });
        index.Upsert([C("b", 0, "second")]);
        index.Commit(new Dictionary<string, string> { ["generation"] = "2" });
        Assert.Contains(index.ListCommits(), c => c.GetValueOrDefault("generation") == "1");

        Assert.True(index.RevertToCommit(d => d.GetValueOrDefault("generation") == "1"));
        Assert.Equal(["a#0"], index.ChunkIds());
        Assert.Equal("1", index.LastCommitData["generation"]);
        Assert.False(index.RevertToCommit(d => d.GetValueOrDefault("generation") == "99"));
        Assert.Equal(["a#0"], index.ChunkIds());
    }

    [Fact]
    public void Deletion_policy_keeps_the_configured_number_of_commits()
    {
        using var index = LuceneBm25Index.CreateInMemory(new LuceneIndexOptions { KeepCommits = 2 });
        for (int g = 1; g <= 5; g++)
        {
            index.Upsert([C("d" + g, 0, "text " + g)]);
            index.Commit(new Dictionary<string, string> { ["generation"] = g.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        Assert.Equal(["4", "5"], index.ListCommits().Select(c => c["generation"]));
    }

    [Fact]
    public void GetByVectorId_and_ChunkIdsOfDocument_resolve_chunks()
    {
        using var index = LuceneBm25Index.CreateInMemory();
        index.Upsert([C("doc", 0, "zero"), C("doc", 1, "one"), C("other", 0, "two")]);
        index.Commit();
        Assert.Equal("doc#1", index.GetByVectorId(ChunkIds.ToVectorId("doc#1"))!.Id);
        Assert.Null(index.GetByVectorId(12345));
        Assert.Equal(["doc#0", "doc#1"], index.ChunkIdsOfDocument("doc").Order());
    }

    [Fact]
    public void Analysis_stems_and_drops_stop_words_and_title_is_searchable()
    {
        using var index = LuceneBm25Index.CreateInMemory();
        Assert.Equal(["run", "fox", "jump"], index.Analyze("The running foxes' jumps"));
        index.Upsert([C("a", 0, "body without the word", title: "Studying Mitochondria")]);
        index.Commit();
        Assert.Single(index.Search("mitochondria studies", 10));
        Assert.Empty(index.Search("the of and", 10));
    }

    [Fact]
    public void Bm25_parameters_change_ranking_as_expected()
    {
        // b = 1 punishes the long document; b = 0 ignores length, so the higher term frequency wins.
        var chunks = new[]
        {
            C("short", 0, "gene"),
            C("long", 0, "gene gene " + string.Join(' ', Enumerable.Range(0, 200).Select(i => "filler" + i))),
        };
        using var lengthNormalized = LuceneBm25Index.CreateInMemory(new LuceneIndexOptions { K1 = 1.2f, B = 1f });
        using var noLength = LuceneBm25Index.CreateInMemory(new LuceneIndexOptions { K1 = 1.2f, B = 0f });
        foreach (var index in new[] { lengthNormalized, noLength })
        {
            index.Upsert(chunks);
            index.Commit();
        }

        Assert.Equal("short#0", lengthNormalized.Search("gene", 2)[0].Chunk.Id);
        Assert.Equal("long#0", noLength.Search("gene", 2)[0].Chunk.Id);
    }

    [Fact]
    public async Task Concurrent_searches_during_writes_see_committed_states_only()
    {
        using var index = LuceneBm25Index.CreateInMemory();
        index.Upsert(Enumerable.Range(0, 50).Select(i => C("d" + i, 0, "common word " + i)));
        index.Commit();
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                int n = index.Search("common", 1000).Count;
                Assert.True(n is 50 or 100, $"saw {n} hits: a half-applied batch");
            }
        })).ToArray();
        index.Upsert(Enumerable.Range(50, 50).Select(i => C("d" + i, 0, "common word " + i)));
        index.Commit();
        await Task.WhenAll(readers);
        Assert.Equal(100, index.Count);
    }

    [Fact]
    public void Invalid_options_and_arguments_throw_clear_errors()
    {
        var e = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() => LuceneBm25Index.CreateInMemory(new LuceneIndexOptions { B = 2f }));
        Assert.Contains("B", e.Message, StringComparison.Ordinal);
        using var index = LuceneBm25Index.CreateInMemory();
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search("x", 0));
        index.Dispose();
        Assert.Throws<ObjectDisposedException>(() => index.Search("x", 1));
    }
}
