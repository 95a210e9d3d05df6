using Microsoft.Extensions.Configuration;

namespace Rag.Host.Cli;

/// <summary>
/// The CLI's configuration, lowest precedence first: the CLI's own defaults, <c>appsettings.json</c> in the working
/// directory, the legacy variables (<c>RAG_CHAT_MODEL</c>, <c>RAG_EMBEDDING_MODEL</c>, <c>RAG_RERANKER_MODEL</c>), <c>Rag__…</c>
/// environment variables, then the command line's options. Every command composes its services from it through
/// <c>services.AddRag(configuration)</c>.
/// </summary>
internal static class CliConfiguration
{
    /// <summary>True with <c>--verbose</c>: llama.cpp's own log lines go to stderr.</summary>
    public static bool Verbose { get; set; }

    /// <summary>The file read from the working directory.</summary>
    public const string FileName = "appsettings.json";

    /// <summary>The default chat model when none is configured: the tiny TinyStories model in <c>../shared/models</c>.</summary>
    public const string DefaultChatModelFile = "stories260K-llama-f32.gguf";

    /// <summary>Configuration key of the chat model.</summary>
    public const string ChatModelKey = "Rag:Model:Chat:ModelPath";

    /// <summary>Configuration key of the chat threads.</summary>
    public const string ChatThreadsKey = "Rag:Model:Chat:Threads";

    /// <summary>Configuration key of the index folder.</summary>
    public const string IndexKey = "Rag:Index:Directory";

    /// <summary>The CLI's defaults, where they differ from the libraries' (one small model, one thread, greedy answers).</summary>
    public static IReadOnlyDictionary<string, string?> Defaults { get; } = new Dictionary<string, string?>
    {
        [ChatModelKey] = DefaultChatModelFile,
        [ChatThreadsKey] = "1",
        ["Rag:Model:Chat:ContextSize"] = "2048",
        ["Rag:Model:Chat:MaxSequences"] = "4",
        ["Rag:Model:Chat:BatchSize"] = "512",
        ["Rag:Model:Chat:DefaultTemperature"] = "0",
        ["Rag:Model:Native:NativeLogLevel"] = "None",
        ["Rag:Answer:MaxSources"] = "3",
        ["Rag:Answer:MaxSourceCharacters"] = "400",
        ["Rag:Answer:MaxOutputTokens"] = "96",
    };

    /// <summary>The value in effect for <paramref name="key"/> before command-line options, for help texts.</summary>
    public static string DefaultOf(string key) => Defaults.TryGetValue(key, out var v) && v is not null ? v : "the library's default";

    private static readonly (string Variable, string Key)[] Legacy =
    [
        ("RAG_CHAT_MODEL", ChatModelKey),
        ("RAG_EMBEDDING_MODEL", "Rag:Model:Embedding:ModelPath"),
        ("RAG_RERANKER_MODEL", "Rag:Model:Reranker:ModelPath"),
    ];

    /// <summary>Builds the configuration with <paramref name="commandLine"/> (keys such as <c>Rag:Model:Chat:ModelPath</c>) on top.</summary>
    /// <exception cref="CliUsageException"><c>appsettings.json</c> is not valid JSON.</exception>
    public static IConfiguration Build(IEnumerable<KeyValuePair<string, string?>>? commandLine = null)
    {
        var legacy = Legacy
            .Select(l => (l.Key, Value: Environment.GetEnvironmentVariable(l.Variable)))
            .Where(l => !string.IsNullOrWhiteSpace(l.Value))
            .Select(l => new KeyValuePair<string, string?>(l.Key, l.Value));
        var file = Path.Combine(Environment.CurrentDirectory, FileName);
        try
        {
            return new ConfigurationBuilder()
                .AddInMemoryCollection(Defaults)
                .AddJsonFile(file, optional: true, reloadOnChange: false)
                .AddInMemoryCollection(legacy)
                .AddEnvironmentVariables()
                .AddInMemoryCollection((commandLine ?? []).Where(kv => kv.Value is not null))
                .AddInMemoryCollection(Verbose ? [new("Rag:Model:Native:NativeLogLevel", "Information")] : [])
                .Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException || ex.GetType().Name == "JsonReaderException")
        {
            throw new CliUsageException($"{file} is not valid JSON: {ex.InnerException?.Message ?? ex.Message}", "fix or remove the file");
        }
    }
}
