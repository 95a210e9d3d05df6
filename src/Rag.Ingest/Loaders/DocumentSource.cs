namespace Rag.Ingest.Loaders;

/// <summary>A file to load, with the document id it will be indexed under.</summary>
/// <param name="Path">File system path of the source.</param>
/// <param name="DocumentId">Stable document id (by default the path relative to the ingest root, with '/' separators).</param>
public sealed record DocumentSource(string Path, string DocumentId)
{
    /// <summary>Creates a source for a file, using its file name as the document id.</summary>
    public static DocumentSource FromFile(string path) => new(path, System.IO.Path.GetFileName(path));
}
