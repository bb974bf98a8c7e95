using System.Diagnostics.Metrics;
using Herald.Server.Diagnostics;

namespace Herald.Server.Tests.Diagnostics;

/// <summary>Durations follow OpenTelemetry's conventions: seconds, with bucket boundaries sized for them.</summary>
public sealed class MetricUnitsTests
{
    [Fact]
    public void HeraldHistograms_OfDurations_AreInSecondsWithBucketAdvice()
    {
        var histograms = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == HeraldMetrics.MeterName && instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal))
                {
                    lock (histograms)
                    {
                        histograms.Add(instrument);
                    }
                }
            },
        };
        HeraldMetrics.MessagePublished(); // the meter's static instruments exist before the listener starts
        listener.Start();

        var durations = histograms.Where(h => h.Name.EndsWith(".duration", StringComparison.Ordinal) || h.Name.EndsWith(".lag", StringComparison.Ordinal)).ToList();

        Assert.Equal(4, durations.Count); // attempt, lag, commit, retention run
        Assert.All(durations, h =>
        {
            Assert.Equal("s", h.Unit);
            var advice = Assert.IsType<Histogram<double>>(h).Advice;
            Assert.NotNull(advice?.HistogramBucketBoundaries);
            Assert.True(advice.HistogramBucketBoundaries[^1] <= 600, $"{h.Name}: boundaries look like milliseconds");
        });
    }
}
