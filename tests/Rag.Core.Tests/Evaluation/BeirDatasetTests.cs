using Rag.Core.Evaluation;

namespace Rag.Core.Tests.Evaluation;

public class BeirDatasetTests
{
    [Fact]
    public async Task Loads_corpus_judged_queries_and_qrels()
    {
        using var temp = new TempDir();
        string dir = temp.Path;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "qrels"));
            await File.WriteAllTextAsync(Path.Combine(dir, "corpus.jsonl"),
                "{\"_id\": \"d1\", \"title\": \"T1\", \"text\": \"one\", \"metadata\": {}}\n{\"_id\": \"d2\", \"title\": \"\", \"text\": \"two \\u00e9\"}\n");
            await File.WriteAllTextAsync(Path.Combine(dir, "queries.jsonl"), "{\"_id\": \"q1\", \"text\": \"first?\"}\n{\"_id\": \"q9\", \"text\": \"unjudged\"}\n");
            await File.WriteAllTextAsync(Path.Combine(dir, "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\nq1\td2\t1\nq1\td1\t2\n");
            var ds = await BeirDataset.LoadAsync(dir);
            Assert.Equal(2, ds.Corpus.Count);
            Assert.Equal("two é", ds.Corpus[1].Text);
            Assert.Equal(["q1"], ds.Queries.Keys);
            Assert.Equal(2, ds.Qrels["q1"]["d1"]);

            await File.AppendAllTextAsync(Path.Combine(dir, "corpus.jsonl"), "{not json\n");
            var e = await Assert.ThrowsAsync<InvalidDataException>(() => BeirDataset.LoadAsync(dir));
            Assert.Contains("corpus.jsonl:3", e.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<FileNotFoundException>(() => BeirDataset.LoadAsync(dir, "dev"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
