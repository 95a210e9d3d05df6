namespace Rag.Host.Cli;

/// <summary>Maps the failures a user can fix to one clear line (no stack trace).</summary>
internal static class CliErrors
{
    public static string? Describe(Exception ex) => ex switch
    {
        FileNotFoundException f => f.Message,
        DirectoryNotFoundException d => d.Message,
        DllNotFoundException d => d.Message,
        InvalidDataException i => i.Message,
        ArgumentException a => a.Message,
        Microsoft.Extensions.Options.OptionsValidationException o => o.Message,
        Rag.Onnx.Embeddings.OnnxModelException o => o.Message,
        Rag.Model.Gguf.Conversion.OnnxConversionException c => c.Message,
        Rag.Core.Storage.IndexSettingsMismatchException m => m.Message,
        _ when ex.GetType().Name.EndsWith("NativeLibraryException", StringComparison.Ordinal) => ex.Message,
        _ when ex.GetType().Name.EndsWith("FormatException", StringComparison.Ordinal) => ex.Message,
        _ => null,
    };
}
