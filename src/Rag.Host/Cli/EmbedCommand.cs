using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Rag.Core.Embeddings;

namespace Rag.Host.Cli;

/// <summary>
/// <c>rag embed --model minilm|arctic-xs|hashing|PATH --text T [--query]</c>: prints the text's vector as one JSON array
/// on stdout (for checks against other implementations); which model ran goes to stderr.
/// </summary>
internal static class EmbedCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string?>("--model") { Description = CliEmbedders.Help };
        var text = new Option<string>("--text") { Description = "The text to embed.", Required = true };
        var query = new Option<bool>("--query") { Description = "Embed the text as a search query (arctic-xs then adds its query prefix)." };
        var vocabulary = new Option<string?>("--vocab") { Description = "vocab.txt of a model given by path (default: beside the .onnx file)." };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads (0: one per core).", DefaultValueFactory = _ => 1 };
        var command = new Command("embed", "Print the embedding of a text as a JSON array (default model: all-MiniLM-L6-v2).") { model, text, query, vocabulary, threads };
        command.SetAction(async (parse, ct) =>
        {
            using var loggers = context.CreateLoggerFactory(LogLevel.Warning);
            using var embedder = CliEmbedders.Create(parse.GetValue(model), parse.GetValue(threads), loggers, parse.GetValue(vocabulary));
            var options = parse.GetValue(query) ? EmbeddingInput.ForQueries() : null;
            var embeddings = await embedder.GenerateAsync([parse.GetValue(text)!], options, ct).ConfigureAwait(false);
            await context.Error.WriteLineAsync($"{CliEmbedders.Describe(embedder)}{(options is null ? string.Empty : ", as a query")}").ConfigureAwait(false);
            await context.Out.WriteLineAsync(ToJson(embeddings[0].Vector.Span)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>A JSON array of the floats, each in the shortest form that reads back to the same float.</summary>
    internal static string ToJson(ReadOnlySpan<float> vector)
    {
        var sb = new StringBuilder(vector.Length * 12).Append('[');
        for (int i = 0; i < vector.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(vector[i].ToString("R", CultureInfo.InvariantCulture));
        }

        return sb.Append(']').ToString();
    }
}
