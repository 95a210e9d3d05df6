using System.Globalization;
using Lucene.Net.Analysis;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Rag.Core.Documents;

namespace Rag.Core.Indexing.Internal;

/// <summary>
/// BM25 search and look-ups over one Lucene searcher (one point-in-time reader): the read side shared by
/// <see cref="LuceneBm25Index"/> (over its latest commit) and the store's snapshots (over one generation).
/// </summary>
internal sealed class LuceneKeywordSearcher(IndexSearcher searcher, Analyzer analyzer, LuceneIndexOptions options) : IKeywordSearcher
{
    internal const string IdField = "id";
    internal const string DocIdField = "doc_id";
    internal const string VectorIdField = "vid";
    internal const string ContentsField = "contents";
    internal const string TitleIndexField = "title_t";
    private const string TitleField = "title";
    private const string TextField = "text";
    private const string OrdinalField = "ord";
    private const string StartField = "start";
    private const string LengthField = "len";
    private const string HeadingField = "heading";
    private const string MetadataPrefix = "m:";
    private static readonly HashSet<string> IdOnly = [IdField];

    public IndexSearcher Searcher => searcher;

    /// <inheritdoc />
    public int Count => searcher.IndexReader.NumDocs;

    /// <inheritdoc />
    public IReadOnlyList<ScoredChunk> Search(string query, int k, IReadOnlyDictionary<string, string>? filter = null) =>
        Top(query, k, filter).Select(sd => new ScoredChunk(FromDocument(searcher.Doc(sd.Doc)), sd.Score)).ToList();

    /// <summary>Searches and returns only chunk ids and scores (no stored-field loading beyond the id).</summary>
    public IReadOnlyList<(string ChunkId, float Score)> SearchIds(string query, int k, IReadOnlyDictionary<string, string>? filter = null) =>
        Top(query, k, filter).Select(sd => (searcher.Doc(sd.Doc, IdOnly).Get(IdField), sd.Score)).ToList();

    /// <inheritdoc />
    public IReadOnlyCollection<string> ChunkIds()
    {
        var ids = new List<string>(searcher.IndexReader.NumDocs);
        foreach (var leaf in searcher.IndexReader.Leaves)
        {
            var reader = leaf.AtomicReader;
            var live = reader.LiveDocs;
            for (int i = 0; i < reader.MaxDoc; i++)
            {
                if (live is null || live.Get(i))
                {
                    ids.Add(reader.Document(i, IdOnly).Get(IdField));
                }
            }
        }

        return ids;
    }

    /// <inheritdoc />
    public Chunk? Get(string chunkId)
    {
        ArgumentException.ThrowIfNullOrEmpty(chunkId);
        return FindOne(new TermQuery(new Term(IdField, chunkId)));
    }

    /// <inheritdoc />
    public Chunk? GetByVectorId(long vectorId) =>
        FindOne(new TermQuery(new Term(VectorIdField, vectorId.ToString(CultureInfo.InvariantCulture))));

    /// <inheritdoc />
    public IReadOnlyCollection<string> ChunkIdsOfDocument(string documentId)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        int max = Math.Max(1, searcher.IndexReader.MaxDoc);
        var top = searcher.Search(new TermQuery(new Term(DocIdField, documentId)), max);
        return top.ScoreDocs.Select(sd => searcher.Doc(sd.Doc, IdOnly).Get(IdField)).ToList();
    }

    public static Document ToDocument(Chunk chunk)
    {
        var doc = new Document
        {
            new StringField(IdField, chunk.Id, Field.Store.YES),
            new StringField(DocIdField, chunk.DocumentId, Field.Store.YES),
            new StringField(VectorIdField, Indexing.ChunkIds.ToVectorId(chunk.Id).ToString(CultureInfo.InvariantCulture), Field.Store.NO),
            new StoredField(OrdinalField, chunk.Ordinal),
            new StoredField(StartField, chunk.Start),
            new StoredField(LengthField, chunk.Length),
            new StoredField(TextField, chunk.Text),
            new TextField(ContentsField, string.IsNullOrEmpty(chunk.Title) ? chunk.Text : chunk.Title + "\n" + chunk.Text, Field.Store.NO),
        };
        if (!string.IsNullOrEmpty(chunk.Title))
        {
            doc.Add(new StoredField(TitleField, chunk.Title));
            doc.Add(new TextField(TitleIndexField, chunk.Title, Field.Store.NO));
        }

        foreach (var heading in chunk.HeadingPath)
        {
            doc.Add(new StoredField(HeadingField, heading));
        }

        foreach (var (key, value) in chunk.Metadata)
        {
            doc.Add(new StringField(MetadataPrefix + key, value ?? string.Empty, Field.Store.YES));
        }

        return doc;
    }

    private ScoreDoc[] Top(string query, int k, IReadOnlyDictionary<string, string>? filter)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var luceneQuery = BuildQuery(query, filter);
        return luceneQuery is null ? [] : searcher.Search(luceneQuery, k).ScoreDocs;
    }

    private Query? BuildQuery(string query, IReadOnlyDictionary<string, string>? filter)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var term in EnglishAnalyzerFactory.Terms(analyzer, ContentsField, query))
        {
            counts[term] = counts.GetValueOrDefault(term) + 1;
        }

        if (counts.Count == 0)
        {
            return null;
        }

        // Bag of words like Anserini: one SHOULD clause per distinct term, boosted by its count in the query.
        var bq = new BooleanQuery(disableCoord: true);
        int maxClauses = BooleanQuery.MaxClauseCount / (options.TitleBoost > 0 ? 2 : 1);
        foreach (var (term, count) in counts.OrderByDescending(p => p.Value).Take(maxClauses))
        {
            bq.Add(new TermQuery(new Term(ContentsField, term)) { Boost = count }, Occur.SHOULD);
            if (options.TitleBoost > 0)
            {
                bq.Add(new TermQuery(new Term(TitleIndexField, term)) { Boost = count * options.TitleBoost }, Occur.SHOULD);
            }
        }

        if (filter is null || filter.Count == 0)
        {
            return bq;
        }

        var fq = new BooleanQuery();
        foreach (var (key, value) in filter)
        {
            fq.Add(new TermQuery(new Term(MetadataPrefix + key, value)), Occur.MUST);
        }

        return new FilteredQuery(bq, new QueryWrapperFilter(fq));
    }

    private Chunk? FindOne(Query query)
    {
        var top = searcher.Search(query, 1);
        return top.ScoreDocs.Length == 0 ? null : FromDocument(searcher.Doc(top.ScoreDocs[0].Doc));
    }

    private static Chunk FromDocument(Document doc)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var headings = new List<string>();
        foreach (var field in doc.Fields)
        {
            if (field.Name.StartsWith(MetadataPrefix, StringComparison.Ordinal))
            {
                metadata[field.Name[MetadataPrefix.Length..]] = field.GetStringValue();
            }
            else if (field.Name == HeadingField)
            {
                headings.Add(field.GetStringValue());
            }
        }

        return new Chunk(
            doc.Get(IdField),
            doc.Get(DocIdField),
            doc.GetField(OrdinalField)?.GetInt32Value() ?? 0,
            doc.Get(TextField) ?? string.Empty,
            doc.GetField(StartField)?.GetInt32Value() ?? 0,
            doc.GetField(LengthField)?.GetInt32Value() ?? 0)
        {
            Title = doc.Get(TitleField),
            HeadingPath = headings,
            Metadata = metadata,
        };
    }
}
