using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rag.Core.Evaluation.Reports;

/// <summary>The files a report was written to.</summary>
/// <param name="Json">The full report, per-item results included.</param>
/// <param name="Markdown">The human-readable report.</param>
/// <param name="Charts">One PNG per chart (empty without a chart renderer).</param>
public sealed record ReportFiles(string Json, string Markdown, IReadOnlyList<string> Charts);

/// <summary>
/// Writes an <see cref="EvaluationReport"/> into a folder as <c>SUITE.json</c>, <c>SUITE.md</c> and one
/// <c>SUITE-CHART.png</c> per chart. Charts need an <see cref="IReportChartRenderer"/>; without one the markdown still
/// carries each chart's data as a table and says that no picture was drawn. Existing files of the same names are
/// replaced; nothing else in the folder is touched.
/// </summary>
public sealed partial class EvaluationReportWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
    private readonly IReportChartRenderer? _charts;

    /// <summary>Creates a writer; <paramref name="charts"/> draws the PNG charts when given.</summary>
    public EvaluationReportWriter(IReportChartRenderer? charts = null)
    {
        _charts = charts;
    }

    /// <summary>Writes the report into <paramref name="directory"/> (created when missing).</summary>
    public async Task<ReportFiles> WriteAsync(EvaluationReport report, string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        string stem = Slug(report.Suite);
        var chartFiles = new List<string>();
        if (_charts is not null)
        {
            foreach (var chart in report.Charts)
            {
                string path = Path.Combine(directory, $"{stem}-{Slug(chart.Title)}.png");
                await _charts.RenderPngAsync(chart, path, cancellationToken).ConfigureAwait(false);
                chartFiles.Add(path);
            }
        }

        string json = Path.Combine(directory, stem + ".json");
        await using (var stream = File.Create(json))
        {
            await JsonSerializer.SerializeAsync(stream, ToJson(report), JsonOptions, cancellationToken).ConfigureAwait(false);
        }

        string markdown = Path.Combine(directory, stem + ".md");
        await File.WriteAllTextAsync(markdown, ToMarkdown(report, chartFiles.Select(Path.GetFileName).ToList()!), cancellationToken).ConfigureAwait(false);
        return new ReportFiles(json, markdown, chartFiles);
    }

    /// <summary>The markdown text of a report; <paramref name="chartFiles"/> are image file names parallel to its charts.</summary>
    public static string ToMarkdown(EvaluationReport report, IReadOnlyList<string> chartFiles)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(chartFiles);
        var md = new StringBuilder();
        md.Append("# ").AppendLine(report.Title).AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Suite `{report.Suite}`, run {report.Started:yyyy-MM-dd HH:mm} UTC, {report.Seconds:F1} s.")).AppendLine();
        AppendTable(md, new ReportTable("Results", ["metric", "value", "note"],
            report.Metrics.Select(m => (IReadOnlyList<string>)[m.Name, Format(m.Value), m.Note ?? string.Empty]).ToList()));
        foreach (var table in report.Tables)
        {
            AppendTable(md, table);
        }

        for (int i = 0; i < report.Charts.Count; i++)
        {
            var chart = report.Charts[i];
            md.Append("## ").AppendLine(chart.Title).AppendLine();
            md.AppendLine(i < chartFiles.Count ? $"![{chart.Title}]({chartFiles[i]})" : "_(no chart renderer configured: the data follows)_").AppendLine();
            if (chart.Series.Count > 0 && chart.Series.All(s => s.X.Count <= 30))
            {
                var xs = chart.Series.SelectMany(s => s.X).Distinct().Order().ToList();
                AppendTable(md, new ReportTable(string.Empty, [chart.XLabel, .. chart.Series.Select(s => s.Name)],
                    xs.Select(x => (IReadOnlyList<string>)[Format(x), .. chart.Series.Select(s => ValueAt(s, x))]).ToList()));
            }
        }

        if (report.Notes.Count > 0)
        {
            md.AppendLine("## Notes").AppendLine();
            foreach (var note in report.Notes)
            {
                md.AppendLine(note).AppendLine();
            }
        }

        md.AppendLine("## Settings").AppendLine();
        AppendTable(md, new ReportTable(string.Empty, ["setting", "value"], report.Settings.Select(s => (IReadOnlyList<string>)[s.Key, s.Value]).ToList()));
        return md.ToString();
    }

    private static Dictionary<string, object?> ToJson(EvaluationReport report) => new()
    {
        ["suite"] = report.Suite,
        ["title"] = report.Title,
        ["started"] = report.Started,
        ["seconds"] = Math.Round(report.Seconds, 3),
        ["metrics"] = report.Metrics.ToDictionary(m => m.Name, m => (object?)m.Value),
        ["metric_notes"] = report.Metrics.Where(m => m.Note is not null).ToDictionary(m => m.Name, m => m.Note),
        ["settings"] = report.Settings,
        ["tables"] = report.Tables,
        ["charts"] = report.Charts,
        ["notes"] = report.Notes,
        ["items"] = report.Items,
    };

    private static void AppendTable(StringBuilder md, ReportTable table)
    {
        if (table.Title.Length > 0)
        {
            md.Append("## ").AppendLine(table.Title).AppendLine();
        }

        md.Append("| ").AppendJoin(" | ", table.Columns.Select(Escape)).AppendLine(" |");
        md.Append('|').AppendJoin('|', table.Columns.Select(_ => "---")).AppendLine("|");
        foreach (var row in table.Rows)
        {
            md.Append("| ").AppendJoin(" | ", row.Select(Escape)).AppendLine(" |");
        }

        md.AppendLine();
    }

    private static string ValueAt(ReportSeries series, double x)
    {
        for (int i = 0; i < series.X.Count; i++)
        {
            if (series.X[i] == x)
            {
                return Format(series.Y[i]);
            }
        }

        return string.Empty;
    }

    private static string Format(double v) =>
        double.IsInteger(v) && Math.Abs(v) < 1e9 ? v.ToString("F0", CultureInfo.InvariantCulture) : v.ToString("F4", CultureInfo.InvariantCulture);

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');

    private static string Slug(string name)
    {
        string slug = NonWord().Replace(name.ToLowerInvariant(), "-").Trim('-');
        return slug.Length == 0 ? "report" : slug;
    }

    [GeneratedRegex("[^a-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex NonWord();
}
