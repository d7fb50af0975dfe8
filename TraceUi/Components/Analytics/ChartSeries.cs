namespace TraceUi.Components.Analytics;

/// <summary>One stacked series of a chart: a name and one value per bucket.</summary>
public sealed record ChartSeries(string Name, double[] Values);
