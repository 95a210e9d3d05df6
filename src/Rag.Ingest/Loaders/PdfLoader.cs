using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Rag.Ingest.Loaders.Internal;

namespace Rag.Ingest.Loaders;

/// <summary>
/// PDF through poppler's <c>pdftotext -layout</c> run as a subprocess, because no managed PDF library is available.
/// The conversion has a wall-clock limit (<see cref="LoaderOptions.PdfTimeout"/>; the whole process tree is killed past
/// it), an input size limit and an output size limit. Pages become <c>\f</c>-separated in the converter's output and
/// are kept as blank-line-separated blocks; runs of layout spaces are folded to one.
/// </summary>
public sealed class PdfLoader(LoaderOptions options) : IDocumentLoader
{
    /// <inheritdoc />
    public string Format => "pdf";

    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".pdf"];

    /// <inheritdoc />
    public async IAsyncEnumerable<DocumentLoadResult> LoadAsync(DocumentSource source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        SourceFile.CheckSize(source, options);
        string raw = await ConvertAsync(source.Path, cancellationToken).ConfigureAwait(false);
        string[] pages = raw.Split('\f');
        var builder = new DocumentTextBuilder();
        foreach (string page in pages)
        {
            builder.AddPreformatted(page, collapseSpaces: true);
        }

        var metadata = LoaderMetadata.For(source, Format);
        metadata["pages"] = pages.Count(p => p.Trim().Length > 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var doc = builder.Build(source.DocumentId, null, metadata);
        if (string.IsNullOrWhiteSpace(doc.Text))
        {
            throw new DocumentLoadException($"'{source.Path}': pdftotext extracted no text (the PDF may hold only scanned images).");
        }

        yield return DocumentLoadResult.Success(doc);
    }

    private async Task<string> ConvertAsync(string path, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(options.PdfToTextPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add("-layout");
        psi.ArgumentList.Add("-enc");
        psi.ArgumentList.Add("UTF-8");
        psi.ArgumentList.Add(path);
        psi.ArgumentList.Add("-");

        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new DocumentLoadException(
                $"Cannot convert '{path}': the PDF converter '{options.PdfToTextPath}' was not found or could not start ({ex.Message}). " +
                "Install poppler-utils (apt-get install poppler-utils) or set LoaderOptions.PdfToTextPath.", ex);
        }

        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.PdfTimeout);
        var stdout = ReadLimitedAsync(process.StandardOutput, options.MaxPdfTextChars, timeout.Token);
        var stderr = ReadLimitedAsync(process.StandardError, 8192, timeout.Token);
        try
        {
            string text = await stdout.ConfigureAwait(false);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            string errors = await stderr.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new DocumentLoadException(
                    $"'{path}' could not be converted: pdftotext exited with code {process.ExitCode} ({FirstLine(errors)}). The PDF is corrupt or truncated.");
            }

            return text;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill(process);
            throw new DocumentLoadException(
                $"'{path}': the PDF converter did not finish within {options.PdfTimeout.TotalSeconds:0.###} s (LoaderOptions.PdfTimeout); its process tree was killed.");
        }
        catch (OutputTooLargeException)
        {
            Kill(process);
            throw new DocumentLoadException(
                $"'{path}' produced more than {options.MaxPdfTextChars:N0} characters of text (LoaderOptions.MaxPdfTextChars); conversion stopped.");
        }
        catch
        {
            Kill(process);
            throw;
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    private static async Task<string> ReadLimitedAsync(StreamReader reader, int maxChars, CancellationToken cancellationToken)
    {
        var sb = new StringBuilder();
        var buffer = new char[16384];
        int n;
        while ((n = await reader.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (sb.Length + n > maxChars)
            {
                throw new OutputTooLargeException();
            }

            sb.Append(buffer, 0, n);
        }

        return sb.ToString();
    }

    private static string FirstLine(string s)
    {
        string line = s.Trim().Split('\n', 2)[0].Trim();
        return line.Length == 0 ? "no message" : line;
    }

    private sealed class OutputTooLargeException : Exception;
}
