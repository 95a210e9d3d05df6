using System.Globalization;
using System.Text.Json;

namespace Rag.Core.Evaluation;

/// <summary>A corpus document of a BEIR dataset.</summary>
/// <param name="Id">The <c>_id</c> field.</param>
/// <param name="Title">The <c>title</c> field (may be empty).</param>
/// <param name="Text">The <c>text</c> field.</param>
public sealed record BeirDocument(string Id, string Title, string Text);

/// <summary>
/// A dataset in BEIR format: <c>corpus.jsonl</c> (<c>{_id, title, text}</c>), <c>queries.jsonl</c> (<c>{_id, text}</c>) and
/// <c>qrels/&lt;split&gt;.tsv</c> (<c>query-id corpus-id score</c>, with a header line).
/// </summary>
public sealed class BeirDataset
{
    private BeirDataset(
        string directory,
        string split,
        IReadOnlyList<BeirDocument> corpus,
        IReadOnlyDictionary<string, string> queries,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> qrels)
    {
        Directory = directory;
        Split = split;
        Corpus = corpus;
        Queries = queries;
        Qrels = qrels;
    }

    /// <summary>Folder the dataset was loaded from.</summary>
    public string Directory { get; }

    /// <summary>The qrels split (for example <c>test</c>).</summary>
    public string Split { get; }

    /// <summary>All corpus documents, in file order.</summary>
    public IReadOnlyList<BeirDocument> Corpus { get; }

    /// <summary>Queries that have judgments in the split: id to text.</summary>
    public IReadOnlyDictionary<string, string> Queries { get; }

    /// <summary>Judgments: query id to (document id to relevance grade).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Qrels { get; }

    /// <summary>Loads a dataset; only queries judged in <paramref name="split"/> are kept (as BEIR does).</summary>
    /// <exception cref="FileNotFoundException">A required file is missing.</exception>
    /// <exception cref="InvalidDataException">A line is malformed; the message names the file and line.</exception>
    public static async Task<BeirDataset> LoadAsync(string directory, string split = "test", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(split);
        string corpusPath = Path.Combine(directory, "corpus.jsonl");
        string queriesPath = Path.Combine(directory, "queries.jsonl");
        string qrelsPath = Path.Combine(directory, "qrels", split + ".tsv");
        foreach (var p in new[] { corpusPath, queriesPath, qrelsPath })
        {
            if (!File.Exists(p))
            {
                throw new FileNotFoundException($"BEIR dataset file '{p}' is missing.", p);
            }
        }

        var qrels = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        int lineNo = 0;
        await foreach (var line in File.ReadLinesAsync(qrelsPath, cancellationToken).ConfigureAwait(false))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var parts = line.Split('\t');
            if (parts.Length < 3)
            {
                throw new InvalidDataException($"{qrelsPath}:{lineNo}: expected 'query-id<TAB>corpus-id<TAB>score'.");
            }

            if (!int.TryParse(parts[2].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int score))
            {
                if (lineNo == 1)
                {
                    continue; // header
                }

                throw new InvalidDataException($"{qrelsPath}:{lineNo}: score '{parts[2]}' is not an integer.");
            }

            if (!qrels.TryGetValue(parts[0], out var judged))
            {
                qrels[parts[0]] = judged = new Dictionary<string, int>(StringComparer.Ordinal);
            }

            judged[parts[1]] = score;
        }

        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var (id, _, text) in ReadJsonl(queriesPath, cancellationToken).ConfigureAwait(false))
        {
            if (qrels.ContainsKey(id))
            {
                queries[id] = text;
            }
        }

        var corpus = new List<BeirDocument>();
        await foreach (var (id, title, text) in ReadJsonl(corpusPath, cancellationToken).ConfigureAwait(false))
        {
            corpus.Add(new BeirDocument(id, title, text));
        }

        var missing = qrels.Keys.Where(q => !queries.ContainsKey(q)).Take(3).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"{qrelsPath} judges queries missing from {queriesPath}, for example '{string.Join("', '", missing)}'.");
        }

        return new BeirDataset(
            directory,
            split,
            corpus,
            queries,
            qrels.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, int>)p.Value, StringComparer.Ordinal));
    }

    private static async IAsyncEnumerable<(string Id, string Title, string Text)> ReadJsonl(
        string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int lineNo = 0;
        await foreach (var line in File.ReadLinesAsync(path, cancellationToken).ConfigureAwait(false))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string id;
            string title;
            string text;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                id = root.GetProperty("_id").ValueKind == JsonValueKind.Number
                    ? root.GetProperty("_id").GetRawText()
                    : root.GetProperty("_id").GetString() ?? throw new InvalidDataException("null _id");
                title = root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : string.Empty;
                text = root.TryGetProperty("text", out var x) && x.ValueKind == JsonValueKind.String ? x.GetString()! : string.Empty;
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new InvalidDataException($"{path}:{lineNo}: not a BEIR record with '_id' ({e.Message}).", e);
            }

            yield return (id, title, text);
        }
    }
}
