namespace Rag.Core.Storage;

/// <summary>
/// The index was built with other settings (embedder, analyzer or chunking) than the ones it is being used with. Using
/// it anyway would silently give wrong results, so it is an error until the index is rebuilt with the new settings
/// (<c>rag ingest … --reindex</c>, or <see cref="IndexWriterOptions.Reindex"/>).
/// </summary>
public sealed class IndexSettingsMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="directory">The store folder.</param>
    /// <param name="setting">Which setting differs: <c>embedder</c>, <c>analyzer</c> or <c>chunking</c>.</param>
    /// <param name="indexValue">What the index was built with.</param>
    /// <param name="configuredValue">What is configured now.</param>
    public IndexSettingsMismatchException(string directory, string setting, string indexValue, string configuredValue)
        : base($"index '{directory}' was built with {setting} {indexValue}, but {configuredValue} is configured; " +
            "rebuild the index with the new settings (rag ingest PATH... --index DIR --reindex) or configure the one it was built with")
    {
        Directory = directory;
        Setting = setting;
        IndexValue = indexValue;
        ConfiguredValue = configuredValue;
    }

    /// <summary>The store folder.</summary>
    public string Directory { get; }

    /// <summary>Which setting differs: <c>embedder</c>, <c>analyzer</c> or <c>chunking</c>.</summary>
    public string Setting { get; }

    /// <summary>What the index was built with.</summary>
    public string IndexValue { get; }

    /// <summary>What is configured now.</summary>
    public string ConfiguredValue { get; }
}
