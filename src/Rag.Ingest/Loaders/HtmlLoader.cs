using System.Runtime.CompilerServices;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Rag.Ingest.Loaders.Internal;

namespace Rag.Ingest.Loaders;

/// <summary>
/// HTML (<c>.html</c>, <c>.htm</c>, <c>.xhtml</c>) through AngleSharp: keeps the title, the headings (as sections) and the
/// main text; drops scripts, styles, navigation, page headers and footers, asides, forms and embedded objects.
/// When the page has a <c>&lt;main&gt;</c> (or a single <c>&lt;article&gt;</c>) only that part is kept.
/// </summary>
public sealed class HtmlLoader(LoaderOptions options) : IDocumentLoader
{
    private const string Boilerplate =
        "script,style,nav,header,footer,aside,noscript,form,template,svg,iframe,object,embed,button,select,canvas," +
        "[role=navigation],[role=banner],[role=contentinfo],[aria-hidden=true],[hidden]";

    private static readonly HashSet<string> BlockTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "figure",
        "figcaption", "address", "details", "summary", "body", "caption", "hr",
    };

    /// <inheritdoc />
    public string Format => "html";

    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".html", ".htm", ".xhtml"];

    /// <inheritdoc />
    public async IAsyncEnumerable<DocumentLoadResult> LoadAsync(DocumentSource source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var decoded = await SourceFile.ReadTextAsync(source, options, cancellationToken).ConfigureAwait(false);
        var metadata = LoaderMetadata.For(source, Format);
        LoaderMetadata.AddEncoding(metadata, decoded);
        var doc = FromHtml(source.DocumentId, decoded.Text, metadata);
        LoaderMetadata.ThrowIfEmpty(source, doc.Text);
        yield return DocumentLoadResult.Success(doc);
    }

    /// <summary>Converts HTML markup (already decoded) into a document.</summary>
    public static Core.Documents.RagDocument FromHtml(string documentId, string html, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var parser = new HtmlParser();
        using var document = parser.ParseDocument(html);
        foreach (var element in document.QuerySelectorAll(Boilerplate).ToList())
        {
            element.Remove();
        }

        var mains = document.QuerySelectorAll("main");
        var articles = document.QuerySelectorAll("article");
        IElement? root = mains.Length == 1 ? mains[0] : articles.Length == 1 ? articles[0] : document.Body;
        var builder = new DocumentTextBuilder();
        if (root is not null)
        {
            var inline = new StringBuilder();
            Walk(root, builder, inline);
            Flush(builder, inline);
        }

        string? title = TextNormalizer.NormalizeInline(document.Title ?? string.Empty);
        if (title.Length == 0)
        {
            title = builder.FirstH1 ?? builder.FirstHeading;
        }

        return builder.Build(documentId, title, metadata ?? new Dictionary<string, string>());
    }

    private static void Walk(INode node, DocumentTextBuilder builder, StringBuilder inline)
    {
        foreach (var child in node.ChildNodes)
        {
            if (child is IText text)
            {
                inline.Append(text.Data);
                continue;
            }

            if (child is not IElement element)
            {
                continue;
            }

            string tag = element.LocalName;
            if (tag.Length == 2 && tag[0] is 'h' or 'H' && tag[1] is >= '1' and <= '6')
            {
                Flush(builder, inline);
                builder.AddHeading(tag[1] - '0', element.TextContent);
            }
            else if (tag is "pre" or "textarea")
            {
                Flush(builder, inline);
                builder.AddPreformatted(element.TextContent);
            }
            else if (tag == "table")
            {
                Flush(builder, inline);
                var rows = element.QuerySelectorAll("tr")
                    .Select(tr => string.Join('\t', tr.Children.Where(c => c.LocalName is "td" or "th").Select(c => TextNormalizer.NormalizeInline(c.TextContent))))
                    .Where(r => r.Trim().Length > 0);
                builder.AddPreformatted(string.Join('\n', rows));
            }
            else if (tag == "br")
            {
                inline.Append(' ');
            }
            else if (tag == "img")
            {
                continue;
            }
            else if (BlockTags.Contains(tag))
            {
                Flush(builder, inline);
                Walk(element, builder, inline);
                Flush(builder, inline);
            }
            else
            {
                Walk(element, builder, inline);
            }
        }
    }

    private static void Flush(DocumentTextBuilder builder, StringBuilder inline)
    {
        if (inline.Length > 0)
        {
            builder.AddParagraph(inline.ToString());
            inline.Clear();
        }
    }
}
