using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rag.Ingest.Loaders;

/// <summary>
/// Picks the loader for a file by extension, or by sniffing its first bytes when the extension is unknown, enumerates
/// folders, and turns every loader failure into a per-source <see cref="DocumentLoadResult"/> so a bad file never stops a batch.
/// </summary>
/// <remarks>
/// Decisions for bad input: an empty file (0 bytes, or no text after extraction) is a failure with a message saying so,
/// not a silent skip, and the previously indexed version of that document (if any) is kept; a file over
/// <see cref="LoaderOptions.MaxFileBytes"/> fails before it is read; a text-format file with NUL bytes or mostly control
/// characters fails as binary; undecodable bytes never fail a file (see the text loaders' encoding detection: mostly
/// valid UTF-8 keeps its characters with U+FFFD for bad bytes and records <c>invalid_bytes_replaced</c>; otherwise
/// Windows-1252).
/// </remarks>
public sealed class DocumentLoaderRegistry
{
    private readonly Dictionary<string, IDocumentLoader> _byExtension = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IDocumentLoader> _byFormat = new(StringComparer.OrdinalIgnoreCase);
    private readonly LoaderOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a registry over the given loaders; a later loader wins an extension claimed twice.</summary>
    public DocumentLoaderRegistry(IEnumerable<IDocumentLoader> loaders, LoaderOptions options, ILogger<DocumentLoaderRegistry>? logger = null)
    {
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        foreach (var loader in loaders)
        {
            _byFormat[loader.Format] = loader;
            foreach (string ext in loader.Extensions)
            {
                _byExtension[ext] = loader;
            }
        }
    }

    /// <summary>A registry with every built-in loader (text, markdown, html, docx, pdf, json).</summary>
    public static DocumentLoaderRegistry CreateDefault(LoaderOptions? options = null, ILogger<DocumentLoaderRegistry>? logger = null)
    {
        options ??= new LoaderOptions();
        return new DocumentLoaderRegistry(
            [new PlainTextLoader(options), new MarkdownLoader(options), new HtmlLoader(options), new DocxLoader(options), new PdfLoader(options), new JsonRecordLoader(options)],
            options,
            logger);
    }

    /// <summary>Loader options in force.</summary>
    public LoaderOptions Options => _options;

    /// <summary>Extensions with a loader.</summary>
    public IReadOnlyCollection<string> Extensions => _byExtension.Keys;

    /// <summary>True when a loader claims the file's extension.</summary>
    public bool IsSupported(string path) => _byExtension.ContainsKey(Path.GetExtension(path));

    /// <summary>
    /// Expands paths into sources whose document ids are paths relative to <paramref name="root"/> (see
    /// <see cref="DocumentIds"/>; default: the common base of <paramref name="paths"/>). A file is taken whatever its
    /// extension; a folder is walked recursively for files with a supported extension, skipping hidden entries, linked
    /// folders and folders that hold an index store. A file reached twice (by its folder and by its path) is listed once.
    /// </summary>
    /// <exception cref="FileNotFoundException">A path is neither a file nor a folder.</exception>
    /// <exception cref="ArgumentException">A path lies outside <paramref name="root"/>.</exception>
    public IEnumerable<DocumentSource> EnumerateSources(IEnumerable<string> paths, string? root = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var inputs = paths.ToList();
        foreach (string path in inputs)
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new FileNotFoundException($"'{path}' is neither a file nor a folder.", path);
            }
        }

        if (inputs.Count == 0)
        {
            return [];
        }

        root = root is null ? DocumentIds.CommonBase(inputs) : Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        foreach (string path in inputs)
        {
            if (!DocumentIds.IsUnder(root, path))
            {
                throw new ArgumentException(
                    $"'{path}' is outside the source root '{root}' that document ids are relative to; ingest files under it, or choose a root that contains every input.",
                    nameof(paths));
            }
        }

        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string path in inputs)
        {
            string full = Path.GetFullPath(path);
            if (File.Exists(full))
            {
                files.Add(full);
            }
            else
            {
                Walk(full, files);
            }
        }

        string sourceRoot = root;
        return files.Select(f => new DocumentSource(f, DocumentIds.ForFile(sourceRoot, f)));
    }

    /// <summary>Whether a folder holds an index store (whose own files must never be ingested).</summary>
    private static bool IsIndexStore(string folder) => Rag.Core.Storage.IndexStore.Exists(folder);

    private void Walk(string folder, SortedSet<string> files)
    {
        if (IsIndexStore(folder))
        {
            _logger.LogInformation("Skipping {Folder}: it holds an index store", folder);
            return;
        }

        var options = new EnumerationOptions { AttributesToSkip = FileAttributes.Hidden | FileAttributes.System, IgnoreInaccessible = true };
        foreach (string file in Directory.EnumerateFiles(folder, "*", options))
        {
            if (!Path.GetFileName(file).StartsWith('.') && IsSupported(file))
            {
                files.Add(file);
            }
        }

        var folders = new EnumerationOptions { AttributesToSkip = FileAttributes.Hidden | FileAttributes.System | FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (string sub in Directory.EnumerateDirectories(folder, "*", folders))
        {
            if (!Path.GetFileName(sub).StartsWith('.'))
            {
                Walk(sub, files);
            }
        }
    }

    /// <summary>Finds the loader for a source: by extension, else by content sniffing.</summary>
    /// <exception cref="DocumentLoadException">No loader fits the file.</exception>
    public IDocumentLoader Resolve(DocumentSource source)
    {
        if (_byExtension.TryGetValue(Path.GetExtension(source.Path), out var loader))
        {
            return loader;
        }

        string format = Sniff(source.Path);
        return _byFormat.TryGetValue(format, out loader)
            ? loader
            : throw new DocumentLoadException($"'{source.Path}' has an unsupported format ({format}); supported extensions: {string.Join(", ", _byExtension.Keys.Order())}.");
    }

    /// <summary>Loads one source; every failure (including unexpected exceptions) becomes a failed result.</summary>
    public async IAsyncEnumerable<DocumentLoadResult> LoadAsync(DocumentSource source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IAsyncEnumerator<DocumentLoadResult>? e = null;
        string? failure = null;
        try
        {
            e = Resolve(source).LoadAsync(source, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (DocumentLoadException ex)
        {
            failure = ex.Message;
        }

        if (e is null)
        {
            _logger.LogWarning("Skipping {Source}: {Reason}", source.Path, failure);
            yield return DocumentLoadResult.Failure(source.DocumentId, failure!);
            yield break;
        }

        await using (e.ConfigureAwait(false))
        {
            while (true)
            {
                DocumentLoadResult? current = null;
                try
                {
                    if (!await e.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    current = e.Current;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (DocumentLoadException ex)
                {
                    failure = ex.Message;
                }
                catch (Exception ex)
                {
                    failure = $"'{source.Path}' could not be loaded: {ex.GetType().Name}: {ex.Message}";
                }

                if (current is null)
                {
                    _logger.LogWarning("Skipping {Source}: {Reason}", source.Path, failure);
                    yield return DocumentLoadResult.Failure(source.DocumentId, failure!);
                    yield break;
                }

                if (!current.Succeeded)
                {
                    _logger.LogWarning("Skipping a record of {Source}: {Reason}", source.Path, current.Error);
                }

                yield return current;
            }
        }
    }

    private string Sniff(string path)
    {
        Span<byte> head = stackalloc byte[512];
        int n;
        try
        {
            using var stream = File.OpenRead(path);
            n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (IOException ex)
        {
            throw new DocumentLoadException($"'{path}' cannot be read: {ex.Message}", ex);
        }

        head = head[..n];
        if (n == 0)
        {
            return "text";
        }

        if (head.StartsWith("%PDF-"u8))
        {
            return "pdf";
        }

        if (head.StartsWith("PK\u0003\u0004"u8))
        {
            return "docx";
        }

        if (head.Contains((byte)0))
        {
            return "binary";
        }

        string start = Encoding.UTF8.GetString(head).TrimStart('\uFEFF', ' ', '\t', '\r', '\n').ToLowerInvariant();
        if (start.StartsWith("<!doctype html", StringComparison.Ordinal) || start.StartsWith("<html", StringComparison.Ordinal))
        {
            return "html";
        }

        return "text";
    }
}
