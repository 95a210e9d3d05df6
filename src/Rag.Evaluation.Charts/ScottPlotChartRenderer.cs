using Rag.Core.Evaluation.Reports;
using ScottPlot;

namespace Rag.Evaluation.Charts;

/// <summary>Draws report charts as PNG line charts with ScottPlot 5.</summary>
public sealed class ScottPlotChartRenderer : IReportChartRenderer
{
    /// <summary>Image width in pixels. <value>Default 900.</value></summary>
    public int Width { get; init; } = 900;

    /// <summary>Image height in pixels. <value>Default 600.</value></summary>
    public int Height { get; init; } = 600;

    /// <inheritdoc />
    public Task RenderPngAsync(ReportChart chart, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        cancellationToken.ThrowIfCancellationRequested();
        using var plot = new Plot();
        plot.Title(chart.Title);
        plot.XLabel(chart.XLabel);
        plot.YLabel(chart.YLabel);
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < chart.Series.Count; i++)
        {
            var s = chart.Series[i];
            if (s.X.Count != s.Y.Count)
            {
                throw new ArgumentException($"Series '{s.Name}' has {s.X.Count} x values but {s.Y.Count} y values.", nameof(chart));
            }

            var line = plot.Add.Scatter(s.X.ToArray(), s.Y.ToArray(), palette.GetColor(i));
            line.LegendText = s.Name;
            line.MarkerSize = s.X.Count <= 30 ? 6 : 0;
            line.LineWidth = 2;
        }

        if (chart.Diagonal)
        {
            var diagonal = plot.Add.Line(0, 0, 1, 1);
            diagonal.LinePattern = LinePattern.Dashed;
            diagonal.LineColor = Colors.Gray;
        }

        plot.ShowLegend(Alignment.LowerRight);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        plot.SavePng(path, Width, Height);
        return Task.CompletedTask;
    }
}
