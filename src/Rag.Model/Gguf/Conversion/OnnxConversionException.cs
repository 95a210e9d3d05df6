namespace Rag.Model.Gguf.Conversion;

/// <summary>An ONNX model could not be converted: the file is not ONNX, or not a BERT encoder this converter understands.</summary>
public sealed class OnnxConversionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OnnxConversionException()
    {
    }

    /// <summary>Creates the exception with a message naming the problem.</summary>
    public OnnxConversionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public OnnxConversionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
