using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Rag.Model.Embeddings;
using Rag.Model.Gguf.Conversion;
using Rag.Model.Native;
using Rag.Model.Quantization;
using Rag.Onnx.Embeddings;

namespace Rag.Host.Cli;

/// <summary>
/// <c>rag models convert --from-onnx minilm|arctic-xs|PATH --out X.gguf [--type F32|F16|Q8_0]</c>: writes a llama.cpp BERT
/// GGUF of an ONNX sentence-embedding model, so <c>LlamaEmbedder</c> runs the same model. Prints the file and its shape.
/// </summary>
internal static class ConvertCommand
{
    public static Command Create(CliContext context)
    {
        var from = new Option<string>("--from-onnx") { Description = "minilm, arctic-xs, or the path of an ONNX BERT model (vocab.txt beside it).", Required = true };
        var output = new Option<string>("--out") { Description = "The GGUF file to write.", Required = true };
        var type = new Option<string>("--type") { Description = "Weight type: F32 (default), F16, Q8_0 (quantized by llama.cpp).", DefaultValueFactory = _ => "F32" };
        var vocabulary = new Option<string?>("--vocab") { Description = "vocab.txt of a model given by path (default: beside the .onnx file)." };
        var threads = new Option<int>("--threads") { Description = "Quantization threads (0: all).", DefaultValueFactory = _ => 1 };
        var command = new Command("convert", "Convert an ONNX BERT sentence-embedding model to a llama.cpp GGUF.") { from, output, type, vocabulary, threads };
        command.SetAction((parse, ct) =>
        {
            using var loggers = context.CreateLoggerFactory(LogLevel.Warning);
            var model = OnnxEmbeddingModel.Resolve(parse.GetValue(from)!, parse.GetValue(vocabulary));
            var weightType = LlamaQuantizer.ParseType(parse.GetValue(type)!);
            if (weightType is not (LlamaQuantizationType.F32 or LlamaQuantizationType.F16))
            {
                // Quantized types go through llama.cpp's quantizer.
                LlamaBackend.Initialize(new LlamaBackendOptions { NativeLogLevel = LogLevel.Error }, loggers.CreateLogger("Rag.Model.LlamaBackend"));
            }

            var source = new OnnxBertSource(model.ReadWeights(), model.ReadVocabulary(), model.ModelId)
            {
                Pooling = model.Pooling == OnnxPooling.Cls ? LlamaPoolingType.Cls : LlamaPoolingType.Mean,
                MaxTokens = model.MaxTokens,
                QueryPrefix = model.QueryPrefix,
                DocumentPrefix = model.DocumentPrefix,
                License = model.IsBuiltIn ? "apache-2.0" : null,
            };
            var r = OnnxBertConverter.Convert(
                source, parse.GetValue(output)!, new OnnxBertConversionOptions { Type = weightType, QuantizeThreads = parse.GetValue(threads) },
                loggers.CreateLogger("Rag.Model.Gguf.Conversion"), ct);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Path}\t{r.Type}\t{r.FileSizeBytes} bytes\t{r.Name}: {r.Layers} layers, {r.EmbeddingLength} dimensions, {r.HeadCount} heads, " +
                $"{r.VocabularySize} tokens, {r.Pooling} pooling, {r.ParameterCount} parameters"));
            if (model.IsBuiltIn)
            {
                context.Error.WriteLine("The weights are Apache-2.0 (see NOTICE-weights.md beside Rag.Onnx): keep that notice with the converted file.");
            }

            return Task.FromResult(0);
        });
        return command;
    }
}
