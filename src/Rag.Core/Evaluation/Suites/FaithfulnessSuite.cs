using System.Diagnostics;
using System.Globalization;
using Rag.Core.Evaluation.Faithfulness;
using Rag.Core.Evaluation.Reports;
using Rag.Core.Evaluation.Statistics;
using Rag.Core.Evaluation.Summarization;

namespace Rag.Core.Evaluation.Suites;

/// <summary>Settings of one <see cref="FaithfulnessSuite"/> run.</summary>
public sealed record FaithfulnessSuiteSettings
{
    /// <summary>The BEGIN TSV file (for example <c>shared/data/begin/begin_test_wow.tsv</c>).</summary>
    public required string DatasetPath { get; init; }

    /// <summary>Score only the first N examples; null scores all. <value>Default null.</value></summary>
    public int? Limit { get; init; }

    /// <summary>Examples the judge scores (the first N), when a judge is given. <value>Default 200.</value></summary>
    public int JudgeLimit { get; init; } = 200;
}

/// <summary>
/// <c>rag eval faithfulness</c>: scores every BEGIN response against its knowledge with the deterministic support
/// evaluator and, in the same run, two lexical baselines (token-overlap precision and token F1: ROUGE-1 precision and
/// F1 of the response against the knowledge), plus the lexical-only ablation of the support evaluator; reports each
/// one's ROC-AUC against the TRUE binarization of the human labels. With a judge, the judge variant scores the first
/// <see cref="FaithfulnessSuiteSettings.JudgeLimit"/> examples and its agreement with the labels is reported.
/// </summary>
public sealed class FaithfulnessSuite
{
    private readonly IFaithfulnessEvaluator _support;
    private readonly IFaithfulnessEvaluator? _judge;
    private readonly string _supportDescription;

    /// <summary>Creates the suite.</summary>
    /// <param name="support">The deterministic evaluator under test.</param>
    /// <param name="judge">An optional judge evaluator.</param>
    /// <param name="supportDescription">What the deterministic evaluator uses (embedder name, weights), for the report.</param>
    public FaithfulnessSuite(IFaithfulnessEvaluator support, IFaithfulnessEvaluator? judge = null, string? supportDescription = null)
    {
        ArgumentNullException.ThrowIfNull(support);
        _support = support;
        _judge = judge;
        _supportDescription = supportDescription ?? support.Name;
    }

    /// <summary>Runs the suite.</summary>
    public async Task<EvaluationReport> RunAsync(FaithfulnessSuiteSettings settings, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Limit is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Limit, "Limit must be at least 1.");
        }

        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        var all = await BeginDataset.LoadAsync(settings.DatasetPath, cancellationToken).ConfigureAwait(false);
        var examples = settings.Limit is { } limit ? all.Take(limit).ToList() : all.ToList();
        if (examples.Count == 0)
        {
            throw new InvalidDataException($"{settings.DatasetPath} holds no examples.");
        }

        var lexicalOnly = new SupportFaithfulnessEvaluator(new SupportFaithfulnessOptions { SemanticWeight = 0 });
        var rouge = new RougeMetric();
        var labels = examples.Select(e => e.IsAttributable).ToList();
        var scores = new Dictionary<string, double[]>
        {
            ["support"] = new double[examples.Count],
            ["support (lexical only)"] = new double[examples.Count],
            ["token-overlap precision"] = new double[examples.Count],
            ["token F1"] = new double[examples.Count],
        };
        var items = new List<IReadOnlyDictionary<string, object?>>(examples.Count);
        for (int i = 0; i < examples.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var e = examples[i];
            var support = await _support.EvaluateAsync(e.Response, [e.Knowledge], cancellationToken).ConfigureAwait(false);
            var lexical = await lexicalOnly.EvaluateAsync(e.Response, [e.Knowledge], cancellationToken).ConfigureAwait(false);
            var r1 = rouge.RougeN(e.Knowledge, e.Response, 1);
            scores["support"][i] = support.Score;
            scores["support (lexical only)"][i] = lexical.Score;
            scores["token-overlap precision"][i] = r1.Precision;
            scores["token F1"][i] = r1.F1;
            items.Add(new Dictionary<string, object?>
            {
                ["index"] = i,
                ["label"] = e.Label,
                ["attributable"] = e.IsAttributable,
                ["support"] = Math.Round(support.Score, 6),
                ["support_lexical"] = Math.Round(lexical.Score, 6),
                ["token_precision"] = Math.Round(r1.Precision, 6),
                ["token_f1"] = Math.Round(r1.F1, 6),
                ["sentences"] = support.Claims.Select(c => new Dictionary<string, object?> { ["text"] = c.Claim, ["support"] = Math.Round(c.Support, 4), ["weight"] = c.Weight, ["detail"] = c.Detail }).ToList(),
            });
            progress?.Report(new EvaluationProgress("scoring", i + 1, examples.Count));
        }

        bool twoClasses = labels.Contains(true) && labels.Contains(false);
        var metrics = new List<ReportMetric> { new("examples", examples.Count, $"{labels.Count(l => l)} fully attributable") };
        if (twoClasses)
        {
            metrics.Add(new("ROC-AUC support", RocCurve.Auc(scores["support"], labels), _supportDescription));
            metrics.Add(new("ROC-AUC support (lexical only)", RocCurve.Auc(scores["support (lexical only)"], labels), "ablation: semantic weight 0"));
            metrics.Add(new("ROC-AUC token-overlap precision", RocCurve.Auc(scores["token-overlap precision"], labels), "baseline: share of response tokens found in the knowledge"));
            metrics.Add(new("ROC-AUC token F1", RocCurve.Auc(scores["token F1"], labels), "baseline: token F1 of response and knowledge"));
        }

        var notes = new List<string>
        {
            "Labels binarized as the TRUE benchmark does: \"Fully attributable\" = 1, everything else = 0. " +
            "Published ROC-AUC on BEGIN (TRUE, Honovich et al. 2022): T5-11B ANLI 82.6, Q² 79.7.",
        };
        var charts = new List<ReportChart>();
        if (twoClasses)
        {
            charts.Add(new("ROC curves on BEGIN", "false positive rate", "true positive rate",
                scores.Select(s => Curve(s.Key, s.Value, labels)).ToList(), Diagonal: true));
        }
        else
        {
            notes.Add("Only one label occurs among the scored examples, so no ROC-AUC can be computed: score more examples.");
        }
        var settingsTable = new Dictionary<string, string>
        {
            ["dataset"] = Path.GetFullPath(settings.DatasetPath),
            ["examples"] = examples.Count.ToString(CultureInfo.InvariantCulture),
            ["support evaluator"] = _supportDescription,
        };

        if (_judge is not null)
        {
            int n = Math.Min(settings.JudgeLimit, examples.Count);
            var judged = new double[n];
            int unparsed = 0, claims = 0;
            for (int i = 0; i < n; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = await _judge.EvaluateAsync(examples[i].Response, [examples[i].Knowledge], cancellationToken).ConfigureAwait(false);
                judged[i] = result.Score;
                unparsed += result.Unparsed;
                claims += result.Claims.Count;
                ((Dictionary<string, object?>)items[i])["judge"] = Math.Round(result.Score, 6);
                ((Dictionary<string, object?>)items[i])["judge_claims"] = result.Claims
                    .Select(c => new Dictionary<string, object?> { ["claim"] = c.Claim, ["supported"] = c.Supported, ["detail"] = c.Detail }).ToList();
                ((Dictionary<string, object?>)items[i])["judge_unreadable"] = result.Unparsed;
                ((Dictionary<string, object?>)items[i])["judge_unreadable_claim_list"] = result.UnreadableClaimList;
                progress?.Report(new EvaluationProgress("judging", i + 1, n));
            }

            var judgedLabels = labels.Take(n).ToList();
            var agreement = Agreement(judged, judgedLabels);
            bool bothClasses = judgedLabels.Contains(true) && judgedLabels.Contains(false);
            if (bothClasses)
            {
                metrics.Add(new("ROC-AUC judge", RocCurve.Auc(judged, judgedLabels), $"{_judge.Name}, first {n} examples"));
                metrics.Add(new($"ROC-AUC support, same {n} examples", RocCurve.Auc(scores["support"].Take(n).ToList(), judgedLabels), "for comparison with the judge"));
            }

            metrics.Add(new("judge accuracy", agreement.Accuracy, "judge score >= 0.5 counted as attributable"));
            metrics.Add(new("judge Cohen's kappa", agreement.Kappa, "agreement beyond chance; 0 = chance"));
            metrics.Add(new("judge majority-class accuracy", agreement.MajorityAccuracy, "what always answering the commoner label scores"));
            metrics.Add(new("judge unreadable replies", unparsed, $"of {claims} claims and {n} claim lists"));
            settingsTable["judge"] = $"{_judge.Name} on the first {n} examples";
        }

        return new EvaluationReport("faithfulness", "Faithfulness on BEGIN (WoW test)", metrics, settingsTable)
        {
            Started = started,
            Seconds = clock.Elapsed.TotalSeconds,
            Charts = charts,
            Notes = notes,
            Tables =
            [
                new ReportTable("Mean score by label", ["label", "examples", .. scores.Keys],
                    examples.Select(e => e.Label.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(label =>
                    {
                        var idx = Enumerable.Range(0, examples.Count).Where(i => examples[i].Label.Trim() == label).ToList();
                        return (IReadOnlyList<string>)[label, idx.Count.ToString(CultureInfo.InvariantCulture),
                            .. scores.Values.Select(s => idx.Average(i => s[i]).ToString("F4", CultureInfo.InvariantCulture))];
                    }).ToList()),
            ],
            Items = items,
        };
    }

    private static ReportSeries Curve(string name, IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var points = RocCurve.Points(scores, labels);
        // Thin the curve to at most about 200 points for the picture; the AUC uses every point.
        int step = Math.Max(1, points.Count / 200);
        var kept = points.Where((_, i) => i % step == 0 || i == points.Count - 1).ToList();
        return new ReportSeries($"{name} (AUC {RocCurve.Auc(scores, labels):F4})", kept.Select(p => p.FalsePositiveRate).ToList(), kept.Select(p => p.TruePositiveRate).ToList());
    }

    private static (double Accuracy, double Kappa, double MajorityAccuracy) Agreement(IReadOnlyList<double> judged, IReadOnlyList<bool> labels)
    {
        int n = labels.Count, a = 0, predictedPositive = 0, positives = labels.Count(l => l);
        for (int i = 0; i < n; i++)
        {
            bool predicted = judged[i] >= 0.5;
            predictedPositive += predicted ? 1 : 0;
            a += predicted == labels[i] ? 1 : 0;
        }

        double accuracy = a / (double)n;
        double chance = ((predictedPositive / (double)n) * (positives / (double)n)) + ((1 - (predictedPositive / (double)n)) * (1 - (positives / (double)n)));
        double kappa = chance >= 1 ? 0 : (accuracy - chance) / (1 - chance);
        return (accuracy, kappa, Math.Max(positives, n - positives) / (double)n);
    }
}
