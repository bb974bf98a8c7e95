namespace Herald.Bench.Harness;

/// <summary>Percentiles of a set of latencies in milliseconds (nearest-rank).</summary>
internal sealed record LatencySummary(long Count, double P50, double P90, double P99, double Max, double Mean)
{
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0);

    public static LatencySummary From(IReadOnlyCollection<double> milliseconds)
    {
        if (milliseconds.Count == 0)
        {
            return Empty;
        }

        var sorted = milliseconds.Order().ToArray();
        return new LatencySummary(
            sorted.Length,
            Round(Percentile(sorted, 0.50)),
            Round(Percentile(sorted, 0.90)),
            Round(Percentile(sorted, 0.99)),
            Round(sorted[^1]),
            Round(sorted.Average()));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Round(double value) => Math.Round(value, value < 10 ? 2 : 1);
}
