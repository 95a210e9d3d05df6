namespace Rag.Ingest.Loaders.Internal;

/// <summary>Metadata keys every loader fills, so filters and provenance work the same for all formats.</summary>
internal static class LoaderMetadata
{
    public static Dictionary<string, string> For(DocumentSource source, string format, string? encoding = null)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["source"] = source.Path.Replace('\\', '/'),
            ["content_type"] = format,
        };
        if (encoding is not null)
        {
            metadata["encoding"] = encoding;
        }

        return metadata;
    }

    public static void AddEncoding(Dictionary<string, string> metadata, DecodedText decoded)
    {
        metadata["encoding"] = decoded.EncodingName;
        if (decoded.ReplacedBytes > 0)
        {
            metadata["invalid_bytes_replaced"] = decoded.ReplacedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Fails on documents with no text, so an empty input is reported instead of silently indexing nothing.</summary>
    public static void ThrowIfEmpty(DocumentSource source, string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new DocumentLoadException($"'{source.Path}' has no text content after extraction; there is nothing to index.");
        }
    }
}
