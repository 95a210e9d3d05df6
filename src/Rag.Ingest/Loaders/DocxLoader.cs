using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Rag.Ingest.Loaders.Internal;

namespace Rag.Ingest.Loaders;

/// <summary>
/// Word documents (<c>.docx</c>) through DocumentFormat.OpenXml: paragraphs, headings (styles <c>Heading1</c>…<c>Heading9</c>,
/// or styles named "heading N") as sections, the <c>Title</c> style (else the core title property) as the title, and
/// tables as text (cells tab-separated, one row per line).
/// </summary>
public sealed partial class DocxLoader(LoaderOptions options) : IDocumentLoader
{
    /// <inheritdoc />
    public string Format => "docx";

    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".docx"];

    /// <inheritdoc />
    public async IAsyncEnumerable<DocumentLoadResult> LoadAsync(DocumentSource source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        byte[] bytes = await SourceFile.ReadAllBytesAsync(source, options, cancellationToken).ConfigureAwait(false);
        Core.Documents.RagDocument doc;
        try
        {
            doc = Extract(source, bytes);
        }
        catch (Exception ex) when (ex is not DocumentLoadException and not OperationCanceledException)
        {
            throw new DocumentLoadException($"'{source.Path}' is not a readable .docx file ({ex.GetType().Name}: {ex.Message}).", ex);
        }

        LoaderMetadata.ThrowIfEmpty(source, doc.Text);
        yield return DocumentLoadResult.Success(doc);
    }

    private Core.Documents.RagDocument Extract(DocumentSource source, byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        using var word = WordprocessingDocument.Open(stream, false);
        var main = word.MainDocumentPart ?? throw new DocumentLoadException($"'{source.Path}' is a package without a main document part; it is not a .docx file.");
        var body = main.Document?.Body ?? throw new DocumentLoadException($"'{source.Path}' has no document body.");
        var styleNames = main.StyleDefinitionsPart?.Styles?.Elements<Style>()
            .Where(s => s.StyleId?.Value is not null)
            .GroupBy(s => s.StyleId!.Value!)
            .ToDictionary(g => g.Key, g => g.First().StyleName?.Val?.Value ?? g.Key, StringComparer.Ordinal)
            ?? new Dictionary<string, string>(StringComparer.Ordinal);

        var builder = new DocumentTextBuilder();
        string? title = null;
        AddElements(body.ChildElements, builder, styleNames, ref title);
        string? coreTitle = word.PackageProperties.Title;
        var metadata = LoaderMetadata.For(source, Format);
        return builder.Build(source.DocumentId, title ?? (string.IsNullOrWhiteSpace(coreTitle) ? null : coreTitle) ?? builder.FirstH1 ?? builder.FirstHeading, metadata);
    }

    private static void AddElements(OpenXmlElementList elements, DocumentTextBuilder builder, Dictionary<string, string> styleNames, ref string? title)
    {
        foreach (var element in elements)
        {
            switch (element)
            {
                case Paragraph paragraph:
                    string text = ParagraphText(paragraph);
                    string? styleId = paragraph.ParagraphProperties?.ParagraphStyleId?.Val?.Value;
                    string styleName = styleId is null ? string.Empty : styleNames.GetValueOrDefault(styleId, styleId);
                    int level = HeadingLevel(styleId) ?? HeadingLevel(styleName) ?? 0;
                    if (level > 0)
                    {
                        builder.AddHeading(level, text);
                    }
                    else if (styleId == "Title" || styleName.Equals("Title", StringComparison.OrdinalIgnoreCase))
                    {
                        title ??= TextNormalizer.NormalizeInline(text);
                        builder.AddParagraph(text);
                    }
                    else
                    {
                        builder.AddPreformatted(text, collapseSpaces: true);
                    }

                    break;
                case Table table:
                    var rows = table.Elements<TableRow>()
                        .Select(row => string.Join('\t', row.Elements<TableCell>()
                            .Select(cell => TextNormalizer.NormalizeInline(string.Join(' ', cell.Elements<Paragraph>().Select(ParagraphText))))))
                        .Where(r => r.Trim().Length > 0);
                    builder.AddPreformatted(string.Join('\n', rows));
                    break;
                case SdtBlock sdt when sdt.SdtContentBlock is not null:
                    AddElements(sdt.SdtContentBlock.ChildElements, builder, styleNames, ref title);
                    break;
            }
        }
    }

    private static int? HeadingLevel(string? style)
    {
        if (style is null)
        {
            return null;
        }

        var match = HeadingStyle().Match(style);
        return match.Success ? int.Parse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static string ParagraphText(Paragraph paragraph)
    {
        var sb = new StringBuilder();
        foreach (var node in paragraph.Descendants())
        {
            switch (node)
            {
                case Text t:
                    sb.Append(t.Text);
                    break;
                case TabChar:
                    sb.Append('\t');
                    break;
                case Break or CarriageReturn:
                    sb.Append('\n');
                    break;
            }
        }

        return sb.ToString();
    }

    [GeneratedRegex(@"^heading\s*([1-9])$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeadingStyle();
}
