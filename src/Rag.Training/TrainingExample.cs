namespace Rag.Training;

/// <summary>A tokenized training example: the loss covers the tokens from <see cref="PromptLength"/> on.</summary>
/// <param name="Tokens">Prompt and completion tokens (with BOS and EOS as the model wants them).</param>
/// <param name="PromptLength">Number of leading prompt tokens that are not trained on.</param>
/// <param name="LineNumber">1-based line of the JSONL file it came from (0 when built in code).</param>
public sealed record TrainingExample(int[] Tokens, int PromptLength, int LineNumber = 0)
{
    /// <summary>Completion tokens (those the loss counts).</summary>
    public int CompletionLength => Tokens.Length - PromptLength;
}

/// <summary>A data set line that cannot be trained on; the message names the file and the line.</summary>
public sealed class TrainingDataException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDataException(string path, int lineNumber, string problem)
        : base($"{path}:{lineNumber}: {problem}")
    {
        Path = path;
        LineNumber = lineNumber;
    }

    /// <summary>Creates the exception.</summary>
    public TrainingDataException()
        : this(string.Empty, 0, "bad training data")
    {
    }

    /// <summary>Creates the exception.</summary>
    public TrainingDataException(string message)
        : base(message) => Path = string.Empty;

    /// <summary>Creates the exception.</summary>
    public TrainingDataException(string message, Exception innerException)
        : base(message, innerException) => Path = string.Empty;

    /// <summary>The data file.</summary>
    public string Path { get; }

    /// <summary>1-based line number.</summary>
    public int LineNumber { get; }
}
