using System.Security.Cryptography;

namespace Rag.Onnx.Embeddings.Internal;

/// <summary>Where a model file's bytes come from: a file, or a slice of an assembly file (an embedded resource).</summary>
internal sealed class ModelSource
{
    private readonly string _path;
    private readonly string? _resource;
    private readonly string? _sha256;

    private ModelSource(string path, string? resource, string? sha256, string missingHint)
    {
        _path = path;
        _resource = resource;
        _sha256 = sha256;
        MissingHint = missingHint;
    }

    /// <summary>For messages: the file, or the resource and its assembly.</summary>
    public string Description => _resource is null ? _path : $"resource '{_resource}' of {_path}";

    /// <summary>What to do when the file is missing.</summary>
    public string MissingHint { get; }

    /// <summary>The file read (the assembly, for a resource).</summary>
    public string Path => _path;

    public static ModelSource File(string path, string missingHint) => new(System.IO.Path.GetFullPath(path), null, null, missingHint);

    public static ModelSource Resource(string assemblyPath, string resource, string sha256, string missingHint) =>
        new(assemblyPath, resource, sha256, missingHint);

    /// <summary>Reads all bytes; checks the pinned SHA-256 of a packaged resource.</summary>
    /// <exception cref="OnnxModelException">The file is missing, unreadable, or not the expected content.</exception>
    public byte[] ReadAll() => Read().Data;

    /// <summary>Reads all bytes and their SHA-256 (lower-case hex); checks the pinned SHA-256 of a packaged resource.</summary>
    /// <exception cref="OnnxModelException">The file is missing, unreadable, or not the expected content.</exception>
    public (byte[] Data, string Sha256) Read()
    {
        if (!System.IO.File.Exists(_path))
        {
            throw new OnnxModelException($"{(_resource is null ? "file" : "assembly")} '{_path}' not found ({MissingHint})");
        }

        try
        {
            byte[] data;
            if (_resource is null)
            {
                data = System.IO.File.ReadAllBytes(_path);
            }
            else
            {
                var (offset, length) = PackagedResource.Locate(_path, _resource);
                if (length > Array.MaxLength)
                {
                    throw new OnnxModelException($"{Description} is {length} bytes, more than one array can hold.");
                }

                data = new byte[length];
                using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
                file.Position = offset;
                file.ReadExactly(data);
            }

            var actual = Convert.ToHexStringLower(SHA256.HashData(data));
            if (_sha256 is not null)
            {
                if (!string.Equals(actual, _sha256, StringComparison.Ordinal))
                {
                    throw new OnnxModelException(
                        $"{Description} has SHA-256 {actual}, not the expected {_sha256}: the package file is damaged or another version ({MissingHint})");
                }
            }

            return (data, actual);
        }
        catch (IOException e)
        {
            throw new OnnxModelException($"{Description} could not be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new OnnxModelException($"{Description} could not be read: {e.Message}", e);
        }
    }
}
