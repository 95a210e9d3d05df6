namespace Rag.Model.Gguf;

/// <summary>Thrown when a file is not a valid GGUF file; <see cref="Error"/> says which check failed.</summary>
public sealed class GgufFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GgufFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public GgufFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public GgufFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a specific problem at a byte offset of a file.</summary>
    /// <param name="error">Which check failed.</param>
    /// <param name="path">The file, when known.</param>
    /// <param name="offset">The byte offset where the problem was found, or -1.</param>
    /// <param name="detail">A description of the problem.</param>
    public GgufFormatException(GgufFormatError error, string? path, long offset, string detail)
        : base(BuildMessage(error, path, offset, detail))
    {
        Error = error;
        Path = path;
        Offset = offset;
    }

    /// <summary>Which check failed.</summary>
    public GgufFormatError Error { get; }

    /// <summary>The file that failed to parse, when known.</summary>
    public string? Path { get; }

    /// <summary>The byte offset where the problem was found, or -1.</summary>
    public long Offset { get; } = -1;

    private static string BuildMessage(GgufFormatError error, string? path, long offset, string detail)
    {
        var what = error switch
        {
            GgufFormatError.NotGguf => "not a GGUF file",
            GgufFormatError.UnsupportedVersion => "unsupported GGUF version",
            GgufFormatError.Truncated => "truncated GGUF file",
            GgufFormatError.InvalidMetadata => "invalid GGUF metadata",
            GgufFormatError.InvalidTensorInfo => "invalid GGUF tensor info",
            GgufFormatError.BadTensorOffset => "bad GGUF tensor data offset",
            _ => "invalid GGUF file",
        };
        var where = path is null ? string.Empty : $" '{path}'";
        var at = offset >= 0 ? $" at byte {offset}" : string.Empty;
        return $"{char.ToUpperInvariant(what[0])}{what[1..]}{where}{at}: {detail}";
    }
}
