namespace Rag.Core.Evaluation.Reports;

/// <summary>One headline figure of a report.</summary>
/// <param name="Name">What it measures (for example <c>ROC-AUC support</c>).</param>
/// <param name="Value">The figure.</param>
/// <param name="Note">How to read it, or what it is compared with.</param>
public sealed record ReportMetric(string Name, double Value, string? Note = null);

/// <summary>A table for the markdown report.</summary>
/// <param name="Title">Heading above the table.</param>
/// <param name="Columns">Column headings.</param>
/// <param name="Rows">Cells, one list per row, as display text.</param>
public sealed record ReportTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>One line of a chart.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">X values.</param>
/// <param name="Y">Y values, as many as <paramref name="X"/>.</param>
public sealed record ReportSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>A line chart: rendered as a PNG by an <see cref="IReportChartRenderer"/>, and as a data table in markdown.</summary>
/// <param name="Title">Chart title; also names its file.</param>
/// <param name="XLabel">X-axis label.</param>
/// <param name="YLabel">Y-axis label.</param>
/// <param name="Series">The lines.</param>
/// <param name="Diagonal">Draw the y = x reference line (for ROC curves).</param>
public sealed record ReportChart(string Title, string XLabel, string YLabel, IReadOnlyList<ReportSeries> Series, bool Diagonal = false);

/// <summary>The result of one evaluation suite run, in a form every report writer understands.</summary>
/// <param name="Suite">Suite name (for example <c>faithfulness</c>); names the files.</param>
/// <param name="Title">Report title.</param>
/// <param name="Metrics">Headline figures, in display order.</param>
/// <param name="Settings">What the run used (data set, model, options), for reproducibility.</param>
public sealed record EvaluationReport(string Suite, string Title, IReadOnlyList<ReportMetric> Metrics, IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>When the run started.</summary>
    public DateTimeOffset Started { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Run time in seconds.</summary>
    public double Seconds { get; init; }

    /// <summary>Tables for the markdown report.</summary>
    public IReadOnlyList<ReportTable> Tables { get; init; } = [];

    /// <summary>Charts, where a picture helps.</summary>
    public IReadOnlyList<ReportChart> Charts { get; init; } = [];

    /// <summary>Findings and caveats, one paragraph each.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Per-item results (JSON only): one dictionary of plain values per evaluated item.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Items { get; init; } = [];
}

/// <summary>Progress of a long evaluation run.</summary>
/// <param name="Stage">What is being done (for example <c>scoring</c>).</param>
/// <param name="Done">Items finished.</param>
/// <param name="Total">Items in all.</param>
public readonly record struct EvaluationProgress(string Stage, int Done, int Total);

/// <summary>Renders a <see cref="ReportChart"/> as a PNG file (a satellite implements it, for example with ScottPlot).</summary>
public interface IReportChartRenderer
{
    /// <summary>Writes <paramref name="chart"/> to <paramref name="path"/> as a PNG image.</summary>
    Task RenderPngAsync(ReportChart chart, string path, CancellationToken cancellationToken = default);
}
