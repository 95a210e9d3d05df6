namespace Rag.Ingest.Loaders.Internal;

/// <summary>Size-checked file access shared by the loaders.</summary>
internal static class SourceFile
{
    /// <summary>Fails with a clear message when the file is missing or over the size limit; returns its length.</summary>
    public static long CheckSize(DocumentSource source, LoaderOptions options)
    {
        var info = new FileInfo(source.Path);
        if (!info.Exists)
        {
            throw new DocumentLoadException($"'{source.Path}' does not exist.");
        }

        if (info.Length > options.MaxFileBytes)
        {
            throw new DocumentLoadException(
                $"'{source.Path}' is {info.Length:N0} bytes, over the {options.MaxFileBytes:N0}-byte limit (LoaderOptions.MaxFileBytes).");
        }

        if (info.Length == 0)
        {
            throw new DocumentLoadException($"'{source.Path}' is empty (0 bytes); there is nothing to index.");
        }

        return info.Length;
    }

    public static async Task<byte[]> ReadAllBytesAsync(DocumentSource source, LoaderOptions options, CancellationToken cancellationToken)
    {
        CheckSize(source, options);
        return await File.ReadAllBytesAsync(source.Path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a text-format file: size check, binary check, encoding detection.</summary>
    public static async Task<DecodedText> ReadTextAsync(DocumentSource source, LoaderOptions options, CancellationToken cancellationToken)
    {
        byte[] bytes = await ReadAllBytesAsync(source, options, cancellationToken).ConfigureAwait(false);
        TextDecoder.ThrowIfBinary(bytes, source.Path, options.BinaryControlCharRatio);
        return TextDecoder.Decode(bytes);
    }
}
