namespace Rag.Core.Evaluation.Translation.Internal;

/// <summary>sacreBLEU's reference layout: streams parallel to the hypotheses, null entries skipped.</summary>
internal static class ReferenceStreams
{
    /// <summary>Checks the layout and returns each hypothesis with its non-null references.</summary>
    /// <exception cref="ArgumentException">A stream has the wrong length, a hypothesis is null, or one has no reference.</exception>
    public static List<(string Hypothesis, List<string> References)> Segments(
        IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> referenceStreams)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(referenceStreams);
        if (referenceStreams.Count == 0)
        {
            throw new ArgumentException("At least one reference stream is required.", nameof(referenceStreams));
        }

        foreach (var stream in referenceStreams)
        {
            ArgumentNullException.ThrowIfNull(stream, nameof(referenceStreams));
            if (stream.Count != hypotheses.Count)
            {
                throw new ArgumentException(
                    $"Every reference stream must have one reference per hypothesis ({hypotheses.Count}); one has {stream.Count}.", nameof(referenceStreams));
            }
        }

        var segments = new List<(string, List<string>)>(hypotheses.Count);
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var refs = referenceStreams.Select(s => s[i]).OfType<string>().ToList();
            if (refs.Count == 0)
            {
                throw new ArgumentException($"Hypothesis {i} has no reference (every stream holds null for it).", nameof(referenceStreams));
            }

            segments.Add((hypotheses[i] ?? throw new ArgumentException($"Hypothesis {i} is null.", nameof(hypotheses)), refs));
        }

        return segments;
    }
}
