using Microsoft.Extensions.Options;
using Rag.Core.Storage;
using Rag.Model;
using Rag.Model.Gguf;
using Rag.Model.Lora;
using Rag.Model.Native;
using Rag.Model.Sampling;

namespace Rag.Host.Cli;

/// <summary>A mistake the user can fix: a bad argument, a missing or unusable file. Exit code 2.</summary>
internal sealed class CliUsageException(string what, string fix, Exception? inner = null) : Exception(what, inner)
{
    /// <summary>How to fix it.</summary>
    public string Fix { get; } = fix;
}

/// <summary>
/// The CLI's one error policy. User errors (bad arguments, missing or corrupt files, out-of-range values) print one line
/// <c>rag: error: WHAT (HOW TO FIX)</c> on stderr and exit 2; runtime failures print one line and exit 1; the stack
/// trace only with <c>--verbose</c>. stdout carries results only.
/// </summary>
internal static class CliErrors
{
    /// <summary>Exit code of user errors.</summary>
    public const int UsageExit = 2;

    /// <summary>Exit code of runtime failures.</summary>
    public const int RuntimeExit = 1;

    /// <summary>The line and exit code for <paramref name="ex"/>.</summary>
    public static (string Line, int Exit) Describe(Exception ex)
    {
        if (ex is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            return Describe(aggregate.InnerException!);
        }

        var (what, fix, exit) = ex switch
        {
            CliUsageException u => (u.Message, u.Fix, UsageExit),
            OptionsValidationException o => (string.Join("; ", o.Failures), "fix the setting in appsettings.json, the Rag__ environment variables or the command line", UsageExit),
            FileNotFoundException f => (f.Message, "check the path", UsageExit),
            DirectoryNotFoundException d => (d.Message, "check the path", UsageExit),
            UnauthorizedAccessException a => (a.Message, "check the file permissions", UsageExit),
            NotAnIndexException n => (n.Message, "pass the folder of an index built by rag ingest", UsageExit),
            IndexSettingsMismatchException m => (m.Message, "rebuild the index with rag ingest --reindex", UsageExit),
            IndexLockedException l => (l.Message, "wait for the other writer to finish, or use another --index", RuntimeExit),
            System.ComponentModel.DataAnnotations.ValidationException v => (v.Message, "check the command's options with --help", UsageExit),
            Rag.Model.Inference.LlamaContextOverflowException c => (c.Message, "raise --ctx or shorten the input", UsageExit),
            LlamaModelLoadException l => (l.Message, "pass a valid GGUF model file", UsageExit),
            GgufFormatException g => (g.Message, "pass a valid GGUF file", UsageExit),
            LlamaLoraAdapterException l => (l.Message, "pass a LoRA adapter GGUF made for this model", UsageExit),
            LlamaGrammarException g => (g.Message, "fix the GBNF grammar", UsageExit),
            Rag.Onnx.Embeddings.OnnxModelException o => (o.Message, "check the ONNX embedding model (Rag:Model:Embedding or --embedder)", UsageExit),
            Rag.Model.Gguf.Conversion.OnnxConversionException c => (c.Message, "check the ONNX model folder", UsageExit),
            InvalidDataException i => (i.Message, "check the file's format", UsageExit),
            LlamaNativeLibraryException n => (n.Message, "run ./rag setup", RuntimeExit),
            DllNotFoundException d => (d.Message, "run ./rag setup", RuntimeExit),
            ArgumentException a => (a.Message, "check the command's options with --help", UsageExit),
            _ => (ex.Message, "run again with --verbose for details", RuntimeExit),
        };
        return ($"rag: error: {OneLine(what)} ({fix})", exit);
    }

    /// <summary>Folds a message to one line.</summary>
    public static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
}
