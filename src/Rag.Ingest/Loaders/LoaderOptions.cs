using System.ComponentModel.DataAnnotations;

namespace Rag.Ingest.Loaders;

/// <summary>Limits and settings shared by the document loaders.</summary>
public sealed class LoaderOptions
{
    /// <summary>Largest file accepted, in bytes. Default 20 MiB. Larger files fail with a clear error before being read.</summary>
    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>Path or name of the <c>pdftotext</c> executable (poppler-utils). Default <c>pdftotext</c> (found on PATH).</summary>
    [Required]
    public string PdfToTextPath { get; set; } = "pdftotext";

    /// <summary>Wall-clock limit for one PDF conversion; the converter's process tree is killed past it. Default 30 s.</summary>
    public TimeSpan PdfTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest text a PDF conversion may produce, in characters. Default 10 M.</summary>
    [Range(1, int.MaxValue)]
    public int MaxPdfTextChars { get; set; } = 10_000_000;

    /// <summary>JSON/JSONL generic records: the property holding the text. BEIR records (<c>_id</c>, <c>text</c>) are recognized without it.</summary>
    [Required]
    public string JsonTextField { get; set; } = "text";

    /// <summary>JSON/JSONL generic records: the property holding the record id. Records without it get <c>{file}:{line}</c>.</summary>
    [Required]
    public string JsonIdField { get; set; } = "id";

    /// <summary>JSON/JSONL generic records: the property holding the title (optional in the record).</summary>
    [Required]
    public string JsonTitleField { get; set; } = "title";

    /// <summary>
    /// Fraction of control characters (other than tab, newline, carriage return, form feed, escape) in the first
    /// 8 KiB above which a text file is rejected as binary. Any NUL byte also marks a file as binary.
    /// </summary>
    [Range(0.0, 1.0)]
    public double BinaryControlCharRatio { get; set; } = 0.10;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (MaxFileBytes <= 0)
        {
            throw new ArgumentException($"{nameof(MaxFileBytes)} must be positive (was {MaxFileBytes}).");
        }

        if (string.IsNullOrWhiteSpace(PdfToTextPath))
        {
            throw new ArgumentException($"{nameof(PdfToTextPath)} must be set.");
        }

        if (PdfTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(PdfTimeout)} must be positive (was {PdfTimeout}).");
        }

        if (MaxPdfTextChars <= 0)
        {
            throw new ArgumentException($"{nameof(MaxPdfTextChars)} must be positive (was {MaxPdfTextChars}).");
        }

        if (string.IsNullOrWhiteSpace(JsonTextField) || string.IsNullOrWhiteSpace(JsonIdField) || string.IsNullOrWhiteSpace(JsonTitleField))
        {
            throw new ArgumentException("JSON field names must be set.");
        }

        if (BinaryControlCharRatio is < 0 or > 1 || double.IsNaN(BinaryControlCharRatio))
        {
            throw new ArgumentException($"{nameof(BinaryControlCharRatio)} must be within [0, 1] (was {BinaryControlCharRatio}).");
        }
    }
}
