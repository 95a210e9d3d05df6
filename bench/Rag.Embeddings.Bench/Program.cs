using Rag.Model.Quantization;
using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Rag.Core.Configuration;
using Rag.Core.Evaluation;
using Rag.Embeddings.Bench;
using Rag.Model;
using Rag.Model.Embeddings;
using Rag.Model.Gguf.Conversion;
using Rag.Model.Native;
using Rag.Onnx.Embeddings;

// One command, one run: ONNX Runtime (the default embedder) and our converted GGUF in llama.cpp (F32, F16, Q8_0) on the
// same SciFact abstracts. Part 1: agreement of vectors and tokenizations. Part 2: throughput at each thread count,
// against the compute floor (the encoder's matmul FLOPs per document over OpenBLAS's measured sgemm rate).
// Tables go to stdout, progress to stderr.
const string Usage = "usage: Rag.Embeddings.Bench [--docs 200] [--throughput-docs 200] [--threads 1,2] [--repeats 2] [--skip-agreement] [--skip-throughput] [--work DIR]";
int docs = 200, throughputDocs = 200, repeats = 2;
int[] threadCounts = [1, 2];
bool agreement = true, throughput = true;
string? work = null;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--docs": docs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--throughput-docs": throughputDocs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--threads": threadCounts = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
        case "--repeats": repeats = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--skip-agreement": agreement = false; break;
        case "--skip-throughput": throughput = false; break;
        case "--work": work = Next(); break;
        default: Console.Error.WriteLine(Usage); return 2;
    }
}

var shared = RagPaths.SharedDirectory() ?? throw new DirectoryNotFoundException("shared/ not found (set RAG_SHARED_DIR)");
var dataset = await BeirDataset.LoadAsync(Path.Combine(shared, "data", "scifact"));
work ??= Directory.CreateTempSubdirectory("rag-embed-bench-").FullName;
Directory.CreateDirectory(work);
LlamaBackend.Initialize(new LlamaBackendOptions { NativeLogLevel = Microsoft.Extensions.Logging.LogLevel.Error });

var minilm = OnnxEmbeddingModel.MiniLm;
var source = new OnnxBertSource(minilm.ReadWeights(), minilm.ReadVocabulary(), minilm.ModelId)
{
    Pooling = LlamaPoolingType.Mean, MaxTokens = minilm.MaxTokens, License = "apache-2.0",
};
var ggufs = new Dictionary<LlamaQuantizationType, string>();
foreach (var type in new[] { LlamaQuantizationType.F32, LlamaQuantizationType.F16, LlamaQuantizationType.Q8_0 })
{
    var sw = Stopwatch.StartNew();
    var r = OnnxBertConverter.Convert(source, Path.Combine(work, $"minilm-{type}.gguf".ToLowerInvariant()), new OnnxBertConversionOptions { Type = type });
    ggufs[type] = r.Path;
    Console.Error.WriteLine($"converted {type}: {r.FileSizeBytes / 1e6:F1} MB in {sw.Elapsed.TotalSeconds:F1} s");
}

Console.WriteLine($"# Embedding bench: all-MiniLM-L6-v2, ONNX Runtime vs our GGUF in llama.cpp ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {Load()})");
if (agreement)
{
    await Agreement(dataset.Corpus.Take(docs).Select(d => d.Text).ToArray());
}

if (throughput)
{
    await Throughput(dataset.Corpus.Take(throughputDocs).Select(d => d.Text).ToArray());
}

return 0;

async Task Agreement(string[] texts)
{
    using var onnx = new OnnxEmbeddingGenerator(minilm, new OnnxEmbeddingOptions { Threads = threadCounts.Max() });
    using var untruncated = new OnnxEmbeddingGenerator(minilm with { MaxTokens = 8192 }, new OnnxEmbeddingOptions { Threads = 1 });
    var reference = await onnx.GenerateAsync(texts);
    var vocabulary = minilm.ReadVocabulary();
    Console.WriteLine();
    Console.WriteLine($"## Agreement on {texts.Length} SciFact abstracts (ONNX Runtime at {minilm.MaxTokens} word pieces = reference)");
    Console.WriteLine();
    Console.WriteLine("| GGUF | mean cosine | min cosine | docs ≥ 0.999 | tokenization equal (full text) | equal within 256 |");
    Console.WriteLine("|---|---|---|---|---|---|");
    List<string>? mismatches = null;
    foreach (var (type, path) in ggufs)
    {
        using var model = LlamaModel.Load(path);
        await using var embedder = new LlamaEmbedder(model, new LlamaEmbedderOptions { Threads = threadCounts.Max(), BatchTokens = 4096 });
        var tokens = texts.Select(t => model.Tokenize(t, addSpecial: true)).ToArray();
        var vectors = await embedder.EmbedTokensPooledAsync(tokens.Select(t => Truncate(t, minilm.MaxTokens)).ToArray());
        var cos = vectors.Select((v, i) => (double)TensorPrimitives.CosineSimilarity(v, reference[i].Vector.Span)).ToArray();
        int equalFull = 0, equalCut = 0;
        var found = new List<string>();
        for (int i = 0; i < texts.Length; i++)
        {
            var expected = untruncated.Tokenize(texts[i]);
            if (expected.SequenceEqual(tokens[i]))
            {
                equalFull++;
            }
            else
            {
                found.Add(Explain(i, texts[i], expected, tokens[i], vocabulary));
            }

            if (onnx.Tokenize(texts[i]).SequenceEqual(Truncate(tokens[i], minilm.MaxTokens)))
            {
                equalCut++;
            }
        }

        mismatches ??= found;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {type} | {cos.Average():F5} | {cos.Min():F5} | {cos.Count(c => c >= 0.999)}/{texts.Length} | {equalFull}/{texts.Length} ({100.0 * equalFull / texts.Length:F1}%) | {equalCut}/{texts.Length} |"));
    }

    Console.WriteLine();
    Console.WriteLine($"Tokenization differences (Microsoft.ML.Tokenizers BertTokenizer vs llama.cpp WPM), {mismatches!.Count} documents:");
    foreach (var m in mismatches)
    {
        Console.WriteLine("- " + m);
    }
}

async Task Throughput(string[] texts)
{
    using var tokenizer = new OnnxEmbeddingGenerator(minilm, new OnnxEmbeddingOptions { Threads = 1 });
    var lengths = texts.Select(t => tokenizer.Tokenize(t).Length).ToArray();
    const int layers = 6, hidden = 384, ffn = 1536;
    double flopsPerDoc = lengths.Average(l => layers * ((2.0 * l * ((4.0 * hidden * hidden) + (2.0 * hidden * ffn))) + (4.0 * l * l * hidden)));
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"## Throughput on {texts.Length} SciFact abstracts ({lengths.Average():F0} word pieces each after the cut at {minilm.MaxTokens}; {flopsPerDoc / 1e9:F2} GFLOP of matmul per document)"));
    Console.WriteLine();
    Console.WriteLine("| threads | engine | docs/s | word pieces/s | sgemm GFLOP/s | floor docs/s | time ÷ floor |");
    Console.WriteLine("|---|---|---|---|---|---|---|");
    foreach (int threads in threadCounts)
    {
        double gflops = Sgemm.MeasureGflops(threads, rows: 2048, hidden, ffn);
        double floor = gflops * 1e9 / flopsPerDoc;
        void Row(string engine, double docsPerSecond) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {threads} | {engine} | {docsPerSecond:F1} | {docsPerSecond * lengths.Average():F0} | {gflops:F0} | {floor:F1} | {floor / docsPerSecond:F2} |"));

        foreach (bool spin in new[] { false, true })
        {
            using var onnx = new OnnxEmbeddingGenerator(minilm, new OnnxEmbeddingOptions { Threads = threads, AllowSpinning = spin });
            await onnx.GenerateAsync(texts.Take(8));
            Row(spin ? "ONNX Runtime (spinning threads)" : "**ONNX Runtime (default)**", await Best(async () => await onnx.GenerateAsync(texts)));
        }

        foreach (var (type, path) in ggufs)
        {
            using var model = LlamaModel.Load(path);
            await using var embedder = new LlamaEmbedder(model, new LlamaEmbedderOptions { Threads = threads, BatchTokens = 4096 });
            await embedder.EmbedAsync(texts.Take(8).ToArray());
            Row($"llama.cpp {type}", await Best(async () =>
            {
                var tokens = texts.Select(t => Truncate(model.Tokenize(t, addSpecial: true), minilm.MaxTokens)).ToArray();
                await embedder.EmbedTokensPooledAsync(tokens);
            }));
        }
    }

    async Task<double> Best(Func<Task> run)
    {
        double best = 0;
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            await run();
            best = Math.Max(best, texts.Length / sw.Elapsed.TotalSeconds);
        }

        return best;
    }
}

// Hugging Face truncation: the first max - 1 tokens, then [SEP].
static int[] Truncate(int[] tokens, int max) => tokens.Length <= max ? tokens : [.. tokens[..(max - 1)], tokens[^1]];

static string Explain(int doc, string text, int[] expected, int[] actual, IReadOnlyList<string> vocabulary)
{
    int at = 0;
    while (at < expected.Length && at < actual.Length && expected[at] == actual[at])
    {
        at++;
    }

    string Pieces(int[] ids) => string.Join(" ", ids.Skip(Math.Max(0, at - 2)).Take(6).Select(id => id < vocabulary.Count ? vocabulary[id] : $"#{id}"));
    return $"doc {doc}: at piece {at}: ONNX [{Pieces(expected)}] vs llama.cpp [{Pieces(actual)}]";
}

static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
