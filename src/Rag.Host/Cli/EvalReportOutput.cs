using System.Globalization;
using Rag.Core.Evaluation.Reports;
using Rag.Evaluation.Charts;

namespace Rag.Host.Cli;

/// <summary>What every <c>rag eval</c> suite does with its report: headline figures on stdout, files in the report folder.</summary>
internal static class EvalReportOutput
{
    public static async Task<int> PublishAsync(CliContext context, EvaluationReport report, string directory, CancellationToken ct)
    {
        foreach (var m in report.Metrics)
        {
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{m.Name}: {(m.Value == 0 ? 0 : m.Value):0.####}")).ConfigureAwait(false);
        }

        var files = await new EvaluationReportWriter(new ScottPlotChartRenderer()).WriteAsync(report, directory, ct).ConfigureAwait(false);
        await context.Error.WriteLineAsync($"report: {files.Markdown} ({files.Json}{string.Concat(files.Charts.Select(c => ", " + c))})").ConfigureAwait(false);
        return 0;
    }
}

/// <summary>A one-line progress display on stderr for long runs, redrawn at most every percent.</summary>
internal sealed class CliProgress(TextWriter error) : IProgress<EvaluationProgress>
{
    private string _stage = string.Empty;
    private int _lastPercent = -1;
    private readonly DateTime _start = DateTime.UtcNow;

    public void Report(EvaluationProgress value)
    {
        int percent = value.Total == 0 ? 100 : (int)(100L * value.Done / value.Total);
        if (percent == _lastPercent && value.Stage == _stage)
        {
            return;
        }

        if (value.Stage != _stage && _stage.Length > 0)
        {
            error.WriteLine();
        }

        (_stage, _lastPercent) = (value.Stage, percent);
        double elapsed = (DateTime.UtcNow - _start).TotalSeconds;
        int width = 30, filled = width * percent / 100;
        error.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{value.Stage,-10} [{new string('#', filled)}{new string('.', width - filled)}] {value.Done}/{value.Total} {percent,3}% {elapsed,6:F0} s"));
    }

    public void Finish()
    {
        if (_stage.Length > 0)
        {
            error.WriteLine();
        }
    }
}
