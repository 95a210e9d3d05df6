using System.Text;
using Rag.Core.Documents;

namespace Rag.Ingest.Loaders.Internal;

/// <summary>
/// Accumulates normalized blocks (headings, paragraphs, preformatted text, table rows) separated by blank lines and
/// records the heading-delimited sections over the final text, so section offsets are exact by construction.
/// </summary>
internal sealed class DocumentTextBuilder
{
    private readonly StringBuilder _text = new();
    private readonly List<(int Level, string Heading)> _headings = [];
    private readonly List<DocumentSection> _sections = [];
    private int _sectionStart;
    private IReadOnlyList<string> _sectionPath = [];

    /// <summary>Text of the first heading seen (a fallback title).</summary>
    public string? FirstHeading { get; private set; }

    /// <summary>Text of the first level-1 heading seen.</summary>
    public string? FirstH1 { get; private set; }

    public int Length => _text.Length;

    public void AddHeading(int level, string heading)
    {
        string h = TextNormalizer.NormalizeInline(heading);
        if (h.Length == 0)
        {
            return;
        }

        FirstHeading ??= h;
        if (level == 1)
        {
            FirstH1 ??= h;
        }

        CloseSection();
        while (_headings.Count > 0 && _headings[^1].Level >= level)
        {
            _headings.RemoveAt(_headings.Count - 1);
        }

        _headings.Add((level, h));
        _sectionPath = _headings.Select(x => x.Heading).ToArray();
        Separate();
        _sectionStart = _text.Length;
        _text.Append(h);
    }

    public void AddParagraph(string text) => AddBlock(TextNormalizer.NormalizeInline(text));

    /// <summary>Adds text whose line structure matters (code, table rows, converter output).</summary>
    public void AddPreformatted(string text, bool collapseSpaces = false) => AddBlock(TextNormalizer.Normalize(text, collapseSpaces));

    public RagDocument Build(string id, string? title, IReadOnlyDictionary<string, string> metadata)
    {
        CloseSection();
        string text = _text.ToString();
        var sections = _sections.Count == 1 && _sections[0].HeadingPath.Count == 0 ? [] : _sections.ToArray();
        return new RagDocument(id, text, title, metadata) { Sections = sections };
    }

    private void AddBlock(string block)
    {
        if (block.Length == 0)
        {
            return;
        }

        Separate();
        _text.Append(block);
    }

    private void Separate()
    {
        if (_text.Length > 0)
        {
            _text.Append("\n\n");
        }
    }

    private void CloseSection()
    {
        int end = _text.Length;
        if (end > _sectionStart)
        {
            _sections.Add(new DocumentSection(_sectionPath, _sectionStart, end - _sectionStart));
        }

        _sectionStart = end;
    }
}
