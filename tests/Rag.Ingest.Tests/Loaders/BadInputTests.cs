using System.Diagnostics;
using System.Text;
using Rag.Ingest.Loaders;

namespace Rag.Ingest.Tests.Loaders;

public class BadInputTests
{
    private static async Task<string> FailureOf(string path, LoaderOptions? options = null)
    {
        var result = Assert.Single(await Fixtures.LoadAsync(path, options));
        Assert.False(result.Succeeded, "expected a failure");
        return result.Error!;
    }

    [Fact]
    public async Task Empty_file_fails_with_a_clear_message()
    {
        using var dir = new TempDir();
        Assert.Contains("is empty", await FailureOf(dir.File("empty.txt", "")), StringComparison.Ordinal);
        Assert.Contains("no text content", await FailureOf(dir.File("blank.md", "   \n\n  ")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_file_named_txt_is_rejected_as_binary()
    {
        using var dir = new TempDir();
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        Assert.Contains("binary content", await FailureOf(dir.File("program.txt", bytes)), StringComparison.Ordinal);
        // No NUL byte, but mostly control characters.
        var controls = Enumerable.Range(0, 2000).Select(i => (byte)(1 + (i % 8))).ToArray();
        Assert.Contains("binary content", await FailureOf(dir.File("controls.md", controls)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_utf8_keeps_valid_text_and_replaces_bad_bytes()
    {
        using var dir = new TempDir();
        byte[] bytes = [.. Encoding.UTF8.GetBytes("naïve café résumé "), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(" end")];
        var doc = await Fixtures.LoadOneAsync(dir.File("broken.txt", bytes));
        Assert.Equal("naïve café résumé \uFFFD( end", doc.Text);
        Assert.Equal("utf-8", doc.Metadata!["encoding"]);
        Assert.Equal("1", doc.Metadata!["invalid_bytes_replaced"]);
    }

    [Fact]
    public async Task Corrupt_docx_fails_with_a_clear_message()
    {
        using var dir = new TempDir();
        string notZip = dir.File("fake.docx", "this is not a zip package");
        Assert.Contains("not a readable .docx", await FailureOf(notZip), StringComparison.Ordinal);

        string good = dir.Combine("good.docx");
        Fixtures.Docx(good);
        byte[] bytes = File.ReadAllBytes(good);
        string truncated = dir.File("truncated.docx", bytes[..(bytes.Length / 2)]);
        Assert.Contains("not a readable .docx", await FailureOf(truncated), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_pdf_fails_with_a_clear_message()
    {
        using var dir = new TempDir();
        byte[] pdf = Fixtures.Pdf("Some text that will be cut");
        string path = dir.File("cut.pdf", pdf[..(pdf.Length / 3)]);
        string error = await FailureOf(path);
        Assert.Contains("cut.pdf", error, StringComparison.Ordinal);
        Assert.True(error.Contains("corrupt or truncated", StringComparison.Ordinal) || error.Contains("no text", StringComparison.Ordinal), error);
    }

    [Fact]
    public async Task File_over_the_size_limit_fails_before_being_read()
    {
        using var dir = new TempDir();
        string path = dir.Combine("huge.txt");
        using (var fs = File.Create(path))
        {
            fs.SetLength(50L * 1024 * 1024); // sparse: fast to create
        }

        var sw = Stopwatch.StartNew();
        string error = await FailureOf(path);
        Assert.Contains("52,428,800 bytes", error, StringComparison.Ordinal);
        Assert.Contains("MaxFileBytes", error, StringComparison.Ordinal);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
    }

    [Fact]
    public async Task Hanging_pdf_converter_is_killed_at_the_timeout()
    {
        using var dir = new TempDir();
        // Fault injection: a converter that never finishes (and has a child process holding the pipe).
        string fake = dir.File("fake-pdftotext.sh", "#!/bin/sh\nsleep 60 &\nsleep 60\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        string pdf = dir.File("hang.pdf", Fixtures.Pdf("never read"));
        var options = new LoaderOptions { PdfToTextPath = fake, PdfTimeout = TimeSpan.FromMilliseconds(500) };

        var sw = Stopwatch.StartNew();
        string error = await FailureOf(pdf, options);
        Assert.Contains("did not finish within 0.5 s", error, StringComparison.Ordinal);
        Assert.Contains("killed", error, StringComparison.Ordinal);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
    }

    [Fact]
    public async Task Missing_pdf_converter_is_reported()
    {
        using var dir = new TempDir();
        string pdf = dir.File("a.pdf", Fixtures.Pdf("x"));
        var options = new LoaderOptions { PdfToTextPath = "/nonexistent/pdftotext" };
        string error = await FailureOf(pdf, options);
        Assert.Contains("poppler-utils", error, StringComparison.Ordinal);
    }
}
