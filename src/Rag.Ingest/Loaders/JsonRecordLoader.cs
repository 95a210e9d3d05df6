using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Rag.Core.Documents;
using Rag.Ingest.Loaders.Internal;

namespace Rag.Ingest.Loaders;

/// <summary>
/// JSON records: <c>.jsonl</c>/<c>.ndjson</c> (one record per line) and <c>.json</c> (an array of records, or one record).
/// Each record becomes one document. BEIR corpus records (<c>{"_id", "title", "text"}</c>) use <c>_id</c> as the record
/// id; generic records use <see cref="LoaderOptions.JsonIdField"/>, <see cref="LoaderOptions.JsonTextField"/> and
/// <see cref="LoaderOptions.JsonTitleField"/>. The document id is <c>{file id}:{record id}</c> (<c>{file id}:line-N</c> or
/// <c>{file id}:item-N</c> for a record without an id), and the title is <c>{file name}: {record title}</c>. Other scalar properties (and those of a nested <c>metadata</c> object) become
/// metadata. A bad record is reported on its own and the other records still load.
/// </summary>
public sealed class JsonRecordLoader(LoaderOptions options) : IDocumentLoader
{
    /// <inheritdoc />
    public string Format => "json";

    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".json", ".jsonl", ".ndjson"];

    /// <inheritdoc />
    public async IAsyncEnumerable<DocumentLoadResult> LoadAsync(DocumentSource source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        SourceFile.CheckSize(source, options);
        bool lines = !source.Path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        if (lines)
        {
            using var reader = new StreamReader(source.Path, detectEncodingFromByteOrderMarks: true);
            int lineNo = 0;
            string? line;
            while ((line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)) is not null)
            {
                lineNo++;
                if (line.Length == 0 || line.AsSpan().Trim().IsEmpty)
                {
                    continue;
                }

                if (lineNo == 1 && line.Contains('\0', StringComparison.Ordinal))
                {
                    throw new DocumentLoadException($"'{source.Path}' has binary content (a NUL character on line 1); it is not JSON Lines.");
                }

                string locator = $"{source.DocumentId}:line-{lineNo}";
                yield return ParseRecord(line, locator, source, lineNo);
            }

            yield break;
        }

        var decoded = await SourceFile.ReadTextAsync(source, options, cancellationToken).ConfigureAwait(false);
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(decoded.Text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new DocumentLoadException($"'{source.Path}' is not valid JSON: {ex.Message}", ex);
        }

        using (json)
        {
            if (json.RootElement.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (var element in json.RootElement.EnumerateArray())
                {
                    yield return FromElement(element, $"{source.DocumentId}:item-{i + 1}", source, i + 1);
                    i++;
                }
            }
            else
            {
                yield return FromElement(json.RootElement, source.DocumentId, source, 1);
            }
        }
    }

    private DocumentLoadResult ParseRecord(string line, string locator, DocumentSource source, int lineNo)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            return FromElement(json.RootElement, locator, source, lineNo);
        }
        catch (JsonException ex)
        {
            return DocumentLoadResult.Failure(locator, $"'{source.Path}' line {lineNo}: invalid JSON ({ex.Message}).");
        }
    }

    private DocumentLoadResult FromElement(JsonElement record, string locator, DocumentSource source, int recordNo)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            return DocumentLoadResult.Failure(locator, $"'{source.Path}' record {recordNo}: expected a JSON object, found {record.ValueKind}.");
        }

        bool beir = record.TryGetProperty("_id", out var beirId);
        string? id = beir ? Scalar(beirId) : record.TryGetProperty(options.JsonIdField, out var gid) ? Scalar(gid) : null;
        // Record ids are namespaced by their file: the same id in two files names two documents.
        id = string.IsNullOrEmpty(id) ? locator : $"{source.DocumentId}:{id}";
        string textField = beir ? "text" : options.JsonTextField;
        string titleField = beir ? "title" : options.JsonTitleField;
        string? recordTitle = record.TryGetProperty(titleField, out var t) && t.ValueKind == JsonValueKind.String ? TextNormalizer.NormalizeInline(t.GetString()!) : null;
        if (!record.TryGetProperty(textField, out var textElement) || textElement.ValueKind != JsonValueKind.String)
        {
            return DocumentLoadResult.Failure(id, $"'{source.Path}' record {recordNo} (id '{id}'): no string property '{textField}' holding the text.");
        }

        string text = TextNormalizer.Normalize(textElement.GetString()!);
        if (text.Length == 0)
        {
            // A record with only a title is still searchable by it.
            text = recordTitle ?? string.Empty;
        }

        if (text.Length == 0)
        {
            return DocumentLoadResult.Failure(id, $"'{source.Path}' record {recordNo} (id '{id}'): the text is empty.");
        }

        var metadata = LoaderMetadata.For(source, Format);
        metadata["record"] = recordNo.ToString(CultureInfo.InvariantCulture);
        foreach (var property in record.EnumerateObject())
        {
            if (property.Name == "metadata" && property.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var inner in property.Value.EnumerateObject())
                {
                    AddScalar(metadata, inner);
                }
            }
            else if (property.Name != "_id" && property.Name != textField && property.Name != titleField)
            {
                AddScalar(metadata, property);
            }
        }

        // The title keeps the file name, so a cited record says where it came from.
        string fileName = Path.GetFileName(source.Path);
        string title = string.IsNullOrEmpty(recordTitle) ? fileName : $"{fileName}: {recordTitle}";
        return DocumentLoadResult.Success(new RagDocument(id, text, title, metadata));
    }

    private static void AddScalar(Dictionary<string, string> metadata, JsonProperty property)
    {
        string? value = Scalar(property.Value);
        if (value is not null && !metadata.ContainsKey(property.Name))
        {
            metadata[property.Name] = value;
        }
    }

    private static string? Scalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };
}
