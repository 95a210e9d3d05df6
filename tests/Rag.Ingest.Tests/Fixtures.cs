using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Rag.Core.Documents;
using Rag.Ingest.Loaders;

namespace Rag.Ingest.Tests;

/// <summary>Real files of each format, built by the tests.</summary>
public static class Fixtures
{
    /// <summary>A minimal valid one-page PDF whose text is <paramref name="text"/> (ASCII).</summary>
    public static byte[] Pdf(string text)
    {
        string content = $"BT /F1 18 Tf 72 720 Td ({text}) Tj ET";
        var objects = new[]
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        };
        var sb = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (int i = 0; i < objects.Length; i++)
        {
            offsets.Add(sb.Length);
            sb.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        int xref = sb.Length;
        sb.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (int offset in offsets)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>A .docx with a title, two heading levels, paragraphs and a table.</summary>
    public static void Docx(string path)
    {
        using var doc = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document);
        var main = doc.AddMainDocumentPart();
        main.Document = new Document(new Body(
            Para("Widget Handbook", "Title"),
            Para("Overview", "Heading1"),
            Para("The widget turns cranks into coffee.", null),
            Para("Setup", "Heading2"),
            Para("Plug the widget into a wall socket.", null),
            new Table(
                new TableRow(Cell("Part"), Cell("Count")),
                new TableRow(Cell("Crank"), Cell("2"))),
            Para("Care", "Heading1"),
            Para("Wipe it with a dry cloth.", null)));
        main.Document.Save();
    }

    /// <summary>Loads every document of one file through the default registry.</summary>
    public static async Task<List<DocumentLoadResult>> LoadAsync(string path, LoaderOptions? options = null)
    {
        var registry = DocumentLoaderRegistry.CreateDefault(options);
        var results = new List<DocumentLoadResult>();
        await foreach (var r in registry.LoadAsync(DocumentSource.FromFile(path)))
        {
            results.Add(r);
        }

        return results;
    }

    public static async Task<RagDocument> LoadOneAsync(string path, LoaderOptions? options = null)
    {
        var results = await LoadAsync(path, options);
        var single = Assert.Single(results);
        Assert.True(single.Succeeded, single.Error);
        return single.Document!;
    }

    private static Paragraph Para(string text, string? style)
    {
        var p = new Paragraph(new Run(new Text(text)));
        if (style is not null)
        {
            p.PrependChild(new ParagraphProperties(new ParagraphStyleId { Val = style }));
        }

        return p;
    }

    private static TableCell Cell(string text) => new(new Paragraph(new Run(new Text(text))));
}
