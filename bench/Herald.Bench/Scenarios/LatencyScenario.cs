using System.Globalization;
using Herald.Bench.Harness;
using Herald.Bench.Reporting;

namespace Herald.Bench.Scenarios;

internal sealed record LatencyRun(
    int Rate, double Seconds, long Published, long Failed, long Delivered, bool Overloaded,
    LatencySummary PublishToReceiveMs, LatencySummary PublishResponseMs, LatencySummary ScheduleLagMs, CpuUse Cpu);

/// <summary>
/// <c>latency</c>: publish at fixed rates on an open-loop schedule (each message at its planned time, whatever earlier
/// answers did); the payload carries the publish timestamp and the receiver measures publish→receive.
/// </summary>
internal sealed class LatencyScenario : IScenario
{
    public string Name => "latency";

    public async Task<ScenarioReport> RunAsync(BenchContext context)
    {
        var s = context.Settings;
        var report = new ScenarioReport(Name) { Settings = new { s.Apps, s.Rates, DurationSeconds = s.LatencyDuration.TotalSeconds, s.Storage, s.Nodes } };
        IReadOnlyList<LatencyRun> runs;
        await using (var receiver = await WebhookReceiver.StartAsync(context.Secret))
        await using (var herald = await context.StartHeraldAsync())
        {
            runs = await MeasureAsync(context, herald, receiver, s.Apps, s.Rates, s.LatencyDuration, report.Problems);
        }

        report.Results = runs;
        report.Tables.Add(Table(runs));
        if (runs.FirstOrDefault(r => r.Rate == 1000) is { } atThousand)
        {
            report.Targets.Add(new TargetCheck(
                "latency at 1,000 msg/s: p50 ≤ 2 ms, p99 ≤ 10 ms publish→receive",
                $"p50 {Cells.Number(atThousand.PublishToReceiveMs.P50)} ms, p99 {Cells.Number(atThousand.PublishToReceiveMs.P99)} ms{(atThousand.Overloaded ? " (Herald could not keep up: schedule abandoned)" : "")}",
                !atThousand.Overloaded && atThousand.PublishToReceiveMs.P50 <= 2 && atThousand.PublishToReceiveMs.P99 <= 10));
        }

        report.Charts["latency-vs-rate.svg"] = SvgBarChart.Render(
            "Publish→receive latency vs publishing rate",
            $"open-loop publishing to {s.Apps} apps × 1 endpoint, {s.LatencyDuration.TotalSeconds:0} s per rate; log scale",
            "milliseconds",
            [.. runs.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Rate:N0} msg/s{(r.Overloaded ? " (Herald could not keep up)" : "")}"))],
            [
                new ChartSeries("p50", [.. runs.Select(r => r.PublishToReceiveMs.P50)]),
                new ChartSeries("p90", [.. runs.Select(r => r.PublishToReceiveMs.P90)]),
                new ChartSeries("p99", [.. runs.Select(r => r.PublishToReceiveMs.P99)]),
                new ChartSeries("max", [.. runs.Select(r => r.PublishToReceiveMs.Max)]),
            ],
            logarithmic: true,
            [new ChartLine(2, "target p50 at 1,000 msg/s: 2 ms"), new ChartLine(10, "target p99 at 1,000 msg/s: 10 ms")]);
        return report;
    }

    /// <summary>Publishes at each rate in turn to new apps of <paramref name="herald"/>, waiting for every delivery after each.</summary>
    public static async Task<IReadOnlyList<LatencyRun>> MeasureAsync(
        BenchContext context, HeraldCluster herald, WebhookReceiver receiver, int appCount, IReadOnlyList<int> rates, TimeSpan duration, List<string> problems)
    {
        var ct = context.CancellationToken;
        var targets = await HeraldSetup.CreateAppsAsync(herald.Admin, context.Prefix("lat"), appCount, i => receiver.Url($"/lat/{i}"), context.Secret, ct);
        var apps = targets.Select(t => t.App).ToList();
        using var publisher = context.NewOpenLoopPublisher(herald);

        // Warm-up (JIT, connection pools on both sides), not measured: closed loop, so the hot code runs often enough
        // to be recompiled, then a second at 100 msg/s to open the open-loop publisher's connections.
        var warmUp = receiver.StartRecording();
        using (var closedLoop = context.NewPublisher(herald, 8))
        {
            var loaded = await context.WarmUpAsync(closedLoop, herald.Nodes, apps, 8, "latency");
            await warmUp.WaitForAsync(loaded.Accepted, context.Settings.DrainTimeout, ct);
        }

        warmUp = receiver.StartRecording();
        var warm = await publisher.RunAtRateAsync(apps, 100, TimeSpan.FromSeconds(1), ct);
        await warmUp.WaitForAsync(warm.Accepted, context.Settings.DrainTimeout, ct);

        var runs = new List<LatencyRun>();
        foreach (var rate in rates)
        {
            context.Log($"latency: {rate:N0} msg/s for {duration.TotalSeconds:0} s to {appCount} apps");
            var log = receiver.StartRecording();
            var cpu = new CpuMeter(herald);
            var run = await publisher.RunAtRateAsync(apps, rate, duration, ct);
            if (!await log.WaitForAsync(run.Accepted, context.Settings.DrainTimeout, ct))
            {
                problems.Add($"latency at {rate}/s: only {log.Unique:N0} of {run.Accepted:N0} accepted messages arrived.");
            }

            if (run.Failed > 0 || log.Invalid > 0)
            {
                problems.Add($"latency at {rate}/s: {run.Failed} publish requests failed (first: {run.FirstError}); {log.Invalid} webhooks failed verification.");
            }

            var cpuUse = cpu.Stop();
            var latency = log.Latency();
            runs.Add(new LatencyRun(
                rate, Math.Round(run.Seconds, 2), run.Accepted, run.Failed, log.Unique, run.Overloaded, latency, run.ResponseMs, run.ScheduleLagMs ?? LatencySummary.Empty, cpuUse));
            if (run.Overloaded)
            {
                context.Log($"latency: Herald could not keep up with {rate:N0} msg/s (over 3 s of the schedule unanswered); the rate was abandoned after {run.Accepted:N0} messages");
            }

            context.Log($"latency: {rate:N0} msg/s → p50 {latency.P50} ms, p99 {latency.P99} ms, max {latency.Max} ms");
            if (rate != rates[^1])
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct); // A quiet second between rates.
            }
        }

        return runs;
    }

    public static ReportTable Table(IReadOnlyList<LatencyRun> runs) => new(
        "latency: publish→receive at fixed rates (open loop)",
        ["rate msg/s", "published", "kept up", "delivered", "p50 ms", "p90 ms", "p99 ms", "max ms", "publish 202 p50/p99 ms", "generator lag p99 ms", "CPU cores Herald / bench"],
        [.. runs.Select(r => (IReadOnlyList<string>)[
            Cells.Number(r.Rate), Cells.Number(r.Published), r.Overloaded ? "no (abandoned)" : "yes", Cells.Number(r.Delivered),
            Cells.Number(r.PublishToReceiveMs.P50), Cells.Number(r.PublishToReceiveMs.P90), Cells.Number(r.PublishToReceiveMs.P99), Cells.Number(r.PublishToReceiveMs.Max),
            $"{Cells.Number(r.PublishResponseMs.P50)} / {Cells.Number(r.PublishResponseMs.P99)}", Cells.Number(r.ScheduleLagMs.P99),
            $"{Cells.Number(r.Cpu.HeraldCores)} / {Cells.Number(r.Cpu.BenchCores)}",
        ])]);
}
