using System.Runtime.CompilerServices;
using System.Text;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Rag.Ingest.Loaders.Internal;

namespace Rag.Ingest.Loaders;

/// <summary>
/// Markdown (<c>.md</c>, <c>.markdown</c>) through Markdig: headings become <see cref="Core.Documents.DocumentSection"/>s
/// with their heading path, markdown syntax is stripped to readable text, code blocks and tables are kept as text.
/// The title is the front matter's <c>title:</c>, else the first level-1 heading.
/// </summary>
public sealed class MarkdownLoader(LoaderOptions options) : IDocumentLoader
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseYamlFrontMatter()
        .Build();

    /// <inheritdoc />
    public string Format => "markdown";

    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".md", ".markdown", ".mdown", ".mkd"];

    /// <inheritdoc />
    public async IAsyncEnumerable<DocumentLoadResult> LoadAsync(DocumentSource source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var decoded = await SourceFile.ReadTextAsync(source, options, cancellationToken).ConfigureAwait(false);
        var document = Parse(decoded.Text, source, out string? frontMatterTitle);
        var builder = new DocumentTextBuilder();
        foreach (var block in document)
        {
            AddBlock(builder, block);
        }

        var metadata = LoaderMetadata.For(source, Format);
        LoaderMetadata.AddEncoding(metadata, decoded);
        var doc = builder.Build(source.DocumentId, frontMatterTitle ?? builder.FirstH1 ?? builder.FirstHeading, metadata);
        LoaderMetadata.ThrowIfEmpty(source, doc.Text);
        yield return DocumentLoadResult.Success(doc);
    }

    /// <summary>Converts markdown text (already decoded) into a document; used for markdown held in memory.</summary>
    public static Core.Documents.RagDocument FromMarkdown(string documentId, string markdown, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var source = new DocumentSource(documentId, documentId);
        var document = Parse(markdown, source, out string? frontMatterTitle);
        var builder = new DocumentTextBuilder();
        foreach (var block in document)
        {
            AddBlock(builder, block);
        }

        return builder.Build(documentId, frontMatterTitle ?? builder.FirstH1 ?? builder.FirstHeading, metadata ?? new Dictionary<string, string>());
    }

    private static MarkdownDocument Parse(string text, DocumentSource source, out string? frontMatterTitle)
    {
        frontMatterTitle = null;
        MarkdownDocument document;
        try
        {
            document = Markdown.Parse(text, Pipeline);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new DocumentLoadException($"'{source.Path}' could not be parsed as markdown: {ex.Message}", ex);
        }

        var front = document.Descendants<YamlFrontMatterBlock>().FirstOrDefault();
        if (front is not null)
        {
            foreach (var line in front.Lines.Lines.Take(front.Lines.Count))
            {
                string l = line.Slice.ToString();
                if (l.StartsWith("title:", StringComparison.OrdinalIgnoreCase))
                {
                    frontMatterTitle = l["title:".Length..].Trim().Trim('"', '\'');
                }
            }
        }

        return document;
    }

    private static void AddBlock(DocumentTextBuilder builder, Block block)
    {
        switch (block)
        {
            case YamlFrontMatterBlock or ThematicBreakBlock or LinkReferenceDefinitionGroup or LinkReferenceDefinition:
                break;
            case HeadingBlock heading:
                builder.AddHeading(heading.Level, InlineText(heading.Inline));
                break;
            case CodeBlock code:
                builder.AddPreformatted(string.Join('\n', code.Lines.Lines.Take(code.Lines.Count).Select(l => l.Slice.ToString())));
                break;
            case HtmlBlock html:
                string raw = string.Join(' ', html.Lines.Lines.Take(html.Lines.Count).Select(l => l.Slice.ToString()));
                builder.AddParagraph(System.Text.RegularExpressions.Regex.Replace(raw, "<[^>]*>", " "));
                break;
            case Table table:
                var rows = new List<string>();
                foreach (var row in table.OfType<TableRow>())
                {
                    rows.Add(string.Join('\t', row.OfType<TableCell>().Select(CellText)));
                }

                builder.AddPreformatted(string.Join('\n', rows));
                break;
            case LeafBlock leaf when leaf.Inline is not null:
                builder.AddParagraph(InlineText(leaf.Inline));
                break;
            case ContainerBlock container:
                foreach (var child in container)
                {
                    AddBlock(builder, child);
                }

                break;
        }
    }

    private static string CellText(TableCell cell) =>
        TextNormalizer.NormalizeInline(string.Join(' ', cell.OfType<LeafBlock>().Select(b => InlineText(b.Inline))));

    private static string InlineText(ContainerInline? inline)
    {
        if (inline is null)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        AppendInline(sb, inline);
        return sb.ToString();
    }

    private static void AppendInline(StringBuilder sb, Inline inline)
    {
        switch (inline)
        {
            case LiteralInline literal:
                sb.Append(literal.Content.AsSpan());
                break;
            case CodeInline code:
                sb.Append(code.Content);
                break;
            case LineBreakInline:
                sb.Append(' ');
                break;
            case AutolinkInline auto:
                sb.Append(auto.Url);
                break;
            case HtmlEntityInline entity:
                sb.Append(entity.Transcoded.AsSpan());
                break;
            case HtmlInline:
                break;
            case ContainerInline container:
                foreach (var child in container)
                {
                    AppendInline(sb, child);
                }

                break;
        }
    }
}
