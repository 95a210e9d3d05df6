using System.Text;
using Rag.Core.Documents;
using Rag.Ingest.Loaders;

namespace Rag.Ingest.Tests.Loaders;

public class LoaderTests
{
    private static void AssertSectionsExact(RagDocument doc)
    {
        foreach (var s in doc.Sections)
        {
            Assert.InRange(s.Start + s.Length, 0, doc.Text.Length);
            string sectionText = doc.Text.Substring(s.Start, s.Length);
            Assert.StartsWith(s.HeadingPath.Count == 0 ? sectionText[..1] : s.HeadingPath[^1], sectionText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Markdown_keeps_heading_paths_strips_syntax_and_keeps_code()
    {
        using var dir = new TempDir();
        string path = dir.File("guide.md", """
            ---
            title: The Guide
            ---
            Intro with **bold** and a [link](http://example.com).

            # Install

            Run the `setup` tool.

            ## Linux

            ```bash
            ./configure --prefix=/usr
            make   install
            ```

            | Flag | Meaning |
            |------|---------|
            | -v   | verbose |

            # Usage

            - first item
            - second *item*
            """);
        var doc = await Fixtures.LoadOneAsync(path);

        Assert.Equal("The Guide", doc.Title);
        Assert.Equal("markdown", doc.Metadata!["content_type"]);
        Assert.Contains("Intro with bold and a link.", doc.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("**", doc.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("](", doc.Text, StringComparison.Ordinal);
        Assert.Contains("./configure --prefix=/usr\nmake   install", doc.Text, StringComparison.Ordinal);
        Assert.Contains("Flag\tMeaning\n-v\tverbose", doc.Text, StringComparison.Ordinal);
        Assert.Contains("second item", doc.Text, StringComparison.Ordinal);

        var paths = doc.Sections.Select(s => string.Join(" > ", s.HeadingPath)).ToList();
        Assert.Equal(["", "Install", "Install > Linux", "Usage"], paths);
        AssertSectionsExact(doc);
        var linux = doc.Sections[2];
        Assert.Contains("./configure", doc.Text.Substring(linux.Start, linux.Length), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Html_drops_navigation_scripts_and_keeps_title_headings_and_main_text()
    {
        using var dir = new TempDir();
        string path = dir.File("page.html", """
            <!doctype html><html><head><title>Release Notes</title><style>body{color:red}</style>
            <script>var tracking = "SECRET_SCRIPT";</script></head>
            <body><header>SITE HEADER</header><nav><a href="/">Home</a> NAV LINKS</nav>
            <main><h1>Version 2.0</h1><p>New <b>fast</b> mode.<br>Second line.</p>
            <h2>Fixes</h2><ul><li>Fixed the crash.</li><li>Fixed the leak.</li></ul>
            <table><tr><th>Name</th><th>Value</th></tr><tr><td>a</td><td>1</td></tr></table>
            <form><input name="q"> FORM TEXT</form><noscript>NOSCRIPT</noscript></main>
            <aside>ASIDE ADS</aside><footer>FOOTER TEXT</footer></body></html>
            """);
        var doc = await Fixtures.LoadOneAsync(path);

        Assert.Equal("Release Notes", doc.Title);
        foreach (string junk in new[] { "SECRET_SCRIPT", "SITE HEADER", "NAV LINKS", "FORM TEXT", "NOSCRIPT", "ASIDE ADS", "FOOTER TEXT", "color:red" })
        {
            Assert.DoesNotContain(junk, doc.Text, StringComparison.Ordinal);
        }

        Assert.Contains("New fast mode. Second line.", doc.Text, StringComparison.Ordinal);
        Assert.Contains("Fixed the crash.\n\nFixed the leak.", doc.Text, StringComparison.Ordinal);
        Assert.Contains("Name\tValue\na\t1", doc.Text, StringComparison.Ordinal);
        Assert.Equal(["Version 2.0", "Version 2.0 > Fixes"], doc.Sections.Select(s => string.Join(" > ", s.HeadingPath)));
        AssertSectionsExact(doc);
    }

    [Fact]
    public async Task Docx_reads_title_headings_paragraphs_and_tables()
    {
        using var dir = new TempDir();
        string path = dir.Combine("handbook.docx");
        Fixtures.Docx(path);
        var doc = await Fixtures.LoadOneAsync(path);

        Assert.Equal("Widget Handbook", doc.Title);
        Assert.Contains("The widget turns cranks into coffee.", doc.Text, StringComparison.Ordinal);
        Assert.Contains("Part\tCount\nCrank\t2", doc.Text, StringComparison.Ordinal);
        Assert.Equal(["", "Overview", "Overview > Setup", "Care"], doc.Sections.Select(s => string.Join(" > ", s.HeadingPath)));
        var setup = doc.Sections.Single(s => s.HeadingPath.Count == 2);
        Assert.Contains("Crank\t2", doc.Text.Substring(setup.Start, setup.Length), StringComparison.Ordinal);
        AssertSectionsExact(doc);
    }

    [Fact]
    public async Task Pdf_is_converted_by_pdftotext()
    {
        using var dir = new TempDir();
        string path = dir.File("hello.pdf", Fixtures.Pdf("Hello from a real PDF file"));
        var doc = await Fixtures.LoadOneAsync(path);
        Assert.Equal("Hello from a real PDF file", doc.Text);
        Assert.Equal("1", doc.Metadata!["pages"]);
    }

    [Fact]
    public async Task Jsonl_reads_beir_records_and_reports_bad_lines_alone()
    {
        using var dir = new TempDir();
        string path = dir.File("corpus.jsonl",
            "{\"_id\": \"4983\", \"title\": \"Microstructural development\", \"text\": \"Alterations of the architecture.\", \"metadata\": {\"year\": 1999}}\n" +
            "{not json}\n" +
            "\n" +
            "{\"_id\": 77, \"title\": \"\", \"text\": \"Numeric id record.\"}\n" +
            "{\"_id\": \"x\", \"title\": \"t\"}\n");
        var results = await Fixtures.LoadAsync(path);

        Assert.Equal(4, results.Count);
        Assert.Equal("corpus.jsonl:4983", results[0].Document!.Id); // record ids are namespaced by their file
        Assert.Equal("corpus.jsonl: Microstructural development", results[0].Document!.Title);
        Assert.Equal("Alterations of the architecture.", results[0].Document!.Text);
        Assert.Equal("1999", results[0].Document!.Metadata!["year"]);
        Assert.False(results[1].Succeeded);
        Assert.Contains("line 2", results[1].Error, StringComparison.Ordinal);
        Assert.Equal("corpus.jsonl:line-2", results[1].SourceId);
        Assert.Equal("corpus.jsonl:77", results[2].Document!.Id);
        Assert.Equal("corpus.jsonl", results[2].Document!.Title);
        Assert.False(results[3].Succeeded);
        Assert.Contains("'text'", results[3].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_reads_generic_records_with_configured_fields()
    {
        using var dir = new TempDir();
        string path = dir.File("notes.json", """[{"key": "n1", "body": "First note.", "author": "ann"}, {"key": "n2", "body": "Second note."}]""");
        var options = new LoaderOptions { JsonIdField = "key", JsonTextField = "body" };
        var results = await Fixtures.LoadAsync(path, options);

        Assert.Equal(["notes.json:n1", "notes.json:n2"], results.Select(r => r.Document!.Id));
        Assert.Equal("First note.", results[0].Document!.Text);
        Assert.Equal("ann", results[0].Document!.Metadata!["author"]);
    }

    [Fact]
    public async Task Text_encodings_are_detected()
    {
        using var dir = new TempDir();
        string utf8Bom = dir.File("bom.txt", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("Café au lait")]);
        string utf16 = dir.File("u16.txt", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("Grüße aus Köln")]);
        string latin = dir.File("latin.txt", [0x43, 0x61, 0x66, 0xE9, 0x20, 0x80, 0x35]); // "Café €5" in Windows-1252

        Assert.Equal("Café au lait", (await Fixtures.LoadOneAsync(utf8Bom)).Text);
        Assert.Equal("Grüße aus Köln", (await Fixtures.LoadOneAsync(utf16)).Text);
        var latinDoc = await Fixtures.LoadOneAsync(latin);
        Assert.Equal("Café €5", latinDoc.Text);
        Assert.Equal("windows-1252", latinDoc.Metadata!["encoding"]);
    }

    [Fact]
    public async Task Text_normalization_unifies_line_ends_and_blank_lines()
    {
        using var dir = new TempDir();
        string path = dir.File("n.txt", "line one   \r\nline two\r\n\r\n\r\n\r\nline\u0007 three\n");
        Assert.Equal("line one\nline two\n\nline three", (await Fixtures.LoadOneAsync(path)).Text);
    }

    [Fact]
    public async Task Unknown_extension_is_sniffed()
    {
        using var dir = new TempDir();
        string pdf = dir.File("report.bin", Fixtures.Pdf("Sniffed PDF"));
        string html = dir.File("page.data", "<!DOCTYPE html><html><body><p>Sniffed HTML</p></body></html>");
        Assert.Equal("Sniffed PDF", (await Fixtures.LoadOneAsync(pdf)).Text);
        Assert.Equal("Sniffed HTML", (await Fixtures.LoadOneAsync(html)).Text);
    }

    [Fact]
    public void Loader_options_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new LoaderOptions { MaxFileBytes = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new LoaderOptions { PdfTimeout = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentException>(() => new LoaderOptions { JsonTextField = " " }.Validate());
        new LoaderOptions().Validate();
    }
}
