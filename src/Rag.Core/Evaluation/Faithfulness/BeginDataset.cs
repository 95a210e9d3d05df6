namespace Rag.Core.Evaluation.Faithfulness;

/// <summary>One BEGIN example: a knowledge snippet, a dialogue response, and its human attribution label.</summary>
/// <param name="Model">The dialogue system that wrote the response.</param>
/// <param name="Knowledge">The knowledge the response should be grounded in.</param>
/// <param name="Message">The previous dialogue turn.</param>
/// <param name="Response">The response to judge.</param>
/// <param name="Label">The annotators' label: "Fully attributable", "Not fully attributable" or "Generic".</param>
public sealed record BeginExample(string Model, string Knowledge, string Message, string Response, string Label)
{
    /// <summary>The TRUE benchmark's binarization: "Fully attributable" is 1, everything else 0.</summary>
    public bool IsAttributable => string.Equals(Label.Trim(), "Fully attributable", StringComparison.Ordinal);
}

/// <summary>
/// The BEGIN benchmark (Dziri et al., TACL 2022) in its TSV form: header
/// <c>model_name, data_source, knowledge, message, response, begin_label</c>, one example per line.
/// </summary>
public static class BeginDataset
{
    private static readonly string[] Header = ["model_name", "data_source", "knowledge", "message", "response", "begin_label"];

    /// <summary>Reads every example of a BEGIN TSV file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The header or a line is not BEGIN's; the message names the line.</exception>
    public static async Task<IReadOnlyList<BeginExample>> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"BEGIN file '{path}' does not exist.", path);
        }

        var examples = new List<BeginExample>();
        int lineNo = 0;
        await foreach (var line in File.ReadLinesAsync(path, cancellationToken).ConfigureAwait(false))
        {
            lineNo++;
            if (line.Length == 0)
            {
                continue;
            }

            var f = line.Split('\t');
            if (lineNo == 1)
            {
                if (!f.Select(h => h.Trim()).SequenceEqual(Header))
                {
                    throw new InvalidDataException($"{path}:1: not a BEGIN file; expected the header '{string.Join("\t", Header)}'.");
                }

                continue;
            }

            if (f.Length != Header.Length)
            {
                throw new InvalidDataException($"{path}:{lineNo}: expected {Header.Length} tab-separated fields, found {f.Length}.");
            }

            examples.Add(new BeginExample(f[0], f[2], f[3], f[4], f[5]));
        }

        return examples;
    }
}
