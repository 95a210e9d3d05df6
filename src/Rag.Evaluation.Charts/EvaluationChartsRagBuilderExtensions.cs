using Microsoft.Extensions.DependencyInjection.Extensions;
using Rag.Core.Evaluation.Reports;
using Rag.Evaluation.Charts;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>DI registration of the ScottPlot chart renderer.</summary>
public static class EvaluationChartsRagBuilderExtensions
{
    /// <summary>Registers <see cref="ScottPlotChartRenderer"/> as the <see cref="IReportChartRenderer"/> of evaluation reports.</summary>
    public static IRagBuilder AddEvaluationCharts(this IRagBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<IReportChartRenderer, ScottPlotChartRenderer>();
        return builder;
    }
}
