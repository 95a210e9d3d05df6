using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Rag.Core.Evaluation.Reports;

namespace Rag.Agents.Pal;

/// <summary>Settings of one <see cref="Gsm8kPalSuite"/> run.</summary>
public sealed record Gsm8kPalSuiteSettings
{
    /// <summary>GSM8K JSONL (<c>question</c>, <c>answer</c> ending in <c>#### N</c>), for example <c>shared/data/gsm8k/test.jsonl</c>.</summary>
    public required string DatasetPath { get; init; }

    /// <summary>Solve only the first N problems; null solves all. <value>Default null.</value></summary>
    public int? Limit { get; init; }

    /// <summary>The model's name, for the report.</summary>
    public string? ModelName { get; init; }
}

/// <summary>
/// <c>rag eval pal</c>: GSM8K through <see cref="PalAgent"/> end to end: the model writes a program per problem, the
/// sandbox runs it (with one repair on failure), and the answer is correct when the returned value equals the gold
/// number (within 1e-6). Reports accuracy, the share of programs that ran, and the repairs' effect.
/// </summary>
public sealed class Gsm8kPalSuite(PalAgent agent)
{
    /// <summary>Runs the suite.</summary>
    public async Task<EvaluationReport> RunAsync(Gsm8kPalSuiteSettings settings, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(agent);
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        var problems = new List<(string Question, double Gold)>();
        foreach (var line in await File.ReadAllLinesAsync(settings.DatasetPath, cancellationToken).ConfigureAwait(false))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var answer = doc.RootElement.GetProperty("answer").GetString()!;
            var gold = answer[(answer.LastIndexOf("####", StringComparison.Ordinal) + 4)..].Trim().Replace(",", string.Empty, StringComparison.Ordinal);
            problems.Add((doc.RootElement.GetProperty("question").GetString()!, double.Parse(gold, CultureInfo.InvariantCulture)));
            if (settings.Limit is { } l && problems.Count >= l)
            {
                break;
            }
        }

        if (problems.Count == 0)
        {
            throw new InvalidDataException($"{settings.DatasetPath} holds no GSM8K problems.");
        }

        int correct = 0, ran = 0, firstTry = 0, repaired = 0;
        var errors = new Dictionary<string, int>(StringComparer.Ordinal);
        var items = new List<IReadOnlyDictionary<string, object?>>();
        for (int i = 0; i < problems.Count; i++)
        {
            var (question, gold) = problems[i];
            var answer = await agent.SolveAsync(question, cancellationToken).ConfigureAwait(false);
            bool ok = answer.Answer is { } v && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && Math.Abs(value - gold) < 1e-6;
            correct += ok ? 1 : 0;
            ran += answer.Succeeded ? 1 : 0;
            firstTry += answer.Attempts[0].Result.Succeeded ? 1 : 0;
            repaired += answer.Succeeded && !answer.Attempts[0].Result.Succeeded ? 1 : 0;
            foreach (var a in answer.Attempts.Where(a => !a.Result.Succeeded))
            {
                var kind = a.Result.ErrorKind.ToString()!;
                errors[kind] = errors.GetValueOrDefault(kind) + 1;
            }

            items.Add(new Dictionary<string, object?>
            {
                ["question"] = question,
                ["gold"] = gold,
                ["answer"] = answer.Answer,
                ["correct"] = ok,
                ["attempts"] = answer.Attempts.Select(a => new Dictionary<string, object?> { ["program"] = a.Program, ["result"] = a.Result.ToString() }).ToList(),
            });
            progress?.Report(new EvaluationProgress("gsm8k", i + 1, problems.Count));
        }

        double n = problems.Count;
        return new EvaluationReport("pal", "GSM8K through PAL", [
            new ReportMetric("accuracy", correct / n),
            new ReportMetric("programs that returned a value", ran / n),
            new ReportMetric("returned a value on the first try", firstTry / n),
            new ReportMetric("rescued by the repair", repaired / n),
        ], new Dictionary<string, string>
        {
            ["dataset"] = settings.DatasetPath,
            ["problems"] = problems.Count.ToString(CultureInfo.InvariantCulture),
            ["model"] = settings.ModelName ?? "(unknown)",
        })
        {
            Started = started,
            Seconds = clock.Elapsed.TotalSeconds,
            Tables = [new ReportTable("Failed runs by kind (every attempt)", ["kind", "count"],
                errors.OrderByDescending(e => e.Value).Select(e => (IReadOnlyList<string>)[e.Key, e.Value.ToString(CultureInfo.InvariantCulture)]).ToList())],
            Items = items,
        };
    }
}
