namespace Rag.Model.Gguf;

/// <summary>What is wrong with a file that failed to parse as GGUF.</summary>
public enum GgufFormatError
{
    /// <summary>The file does not start with the <c>GGUF</c> magic.</summary>
    NotGguf,
    /// <summary>The GGUF version is not one this reader supports (2 or 3).</summary>
    UnsupportedVersion,
    /// <summary>The file ends before a header field, a value or tensor data that it declares.</summary>
    Truncated,
    /// <summary>A metadata value is malformed (unknown type, bad UTF-8, nested array, duplicate key, absurd length).</summary>
    InvalidMetadata,
    /// <summary>A tensor description is malformed (bad dimensions, unknown type, duplicate name).</summary>
    InvalidTensorInfo,
    /// <summary>A tensor's data offset is misaligned, overlaps another tensor or lies beyond the end of the file.</summary>
    BadTensorOffset,
}
