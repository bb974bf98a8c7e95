using System.Globalization;
using Herald.Bench.Harness;
using Herald.Bench.Reporting;

namespace Herald.Bench.Scenarios;

internal sealed record ManyAppsRun(
    int Apps, double SetupSeconds, long Messages, double AcceptedPerSecond, LatencySummary PublishResponseMs, long Deliveries, double Seconds,
    double DeliveriesPerSecond, LatencySummary PublishToReceiveMs, CpuUse Cpu, double RssMiB, long RecordedSuccess);

/// <summary>
/// <c>many-apps</c>: the same closed-loop publishing as <c>throughput</c> (64 clients, message n to application n mod
/// apps), spread over 16, 1,000 and 10,000 applications with one endpoint each (<c>--app-counts</c>), each count on a
/// fresh Herald. Shows what the number of applications costs: per-application state (sequence rows, caches, the
/// dispatcher's per-endpoint queues) and the spread of a backlog over many endpoints.
/// </summary>
internal sealed class ManyAppsScenario : IScenario
{
    public string Name => "many-apps";

    public async Task<ScenarioReport> RunAsync(BenchContext context)
    {
        var s = context.Settings;
        var report = new ScenarioReport(Name)
        {
            Settings = new { s.AppCounts, s.Clients, DurationSeconds = s.ScaleDuration.TotalSeconds, WarmUpSeconds = context.WarmUp.TotalSeconds, s.Storage, s.Nodes },
        };
        var runs = new List<ManyAppsRun>();
        await using var receiver = await WebhookReceiver.StartAsync(context.Secret);
        foreach (var apps in s.AppCounts)
        {
            runs.Add(await MeasureAsync(context, receiver, apps, report.Problems));
        }

        report.Results = runs;
        report.Tables.Add(new ReportTable(
            $"many-apps: {s.Clients} clients publish for {s.ScaleDuration.TotalSeconds:0} s, spread over N applications with one endpoint each",
            ["apps", "setup s", "messages", "accepted msg/s", "publish p50/p99 ms", "deliveries/s", "publish→receive p50 ms", "p99 ms", "max ms", "CPU cores Herald / bench", "RSS MiB", "recorded"],
            [.. runs.Select(r => (IReadOnlyList<string>)[
                Cells.Number(r.Apps), Cells.Number(r.SetupSeconds), Cells.Number(r.Messages), Cells.Number(r.AcceptedPerSecond),
                $"{Cells.Number(r.PublishResponseMs.P50)} / {Cells.Number(r.PublishResponseMs.P99)}", Cells.Number(r.DeliveriesPerSecond),
                Cells.Number(r.PublishToReceiveMs.P50), Cells.Number(r.PublishToReceiveMs.P99), Cells.Number(r.PublishToReceiveMs.Max),
                $"{Cells.Number(r.Cpu.HeraldCores)} / {Cells.Number(r.Cpu.BenchCores)}", Cells.Number(r.RssMiB), Cells.Number(r.RecordedSuccess),
            ])]));
        string[] labels = [.. runs.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Apps:N0} apps"))];
        report.Charts["many-apps.svg"] = SvgBarChart.Render(
            "Many applications: deliveries per second",
            $"{s.Clients} closed-loop clients, one endpoint per application, {s.ScaleDuration.TotalSeconds:0} s each",
            "deliveries per second",
            labels,
            [new ChartSeries("deliveries/s", [.. runs.Select(r => r.DeliveriesPerSecond)])],
            logarithmic: false);
        report.Charts["many-apps-latency.svg"] = SvgBarChart.Render(
            "Many applications: publish→receive latency",
            $"{s.Clients} closed-loop clients, one endpoint per application; log scale",
            "milliseconds",
            labels,
            [new ChartSeries("p50", [.. runs.Select(r => r.PublishToReceiveMs.P50)]), new ChartSeries("p99", [.. runs.Select(r => r.PublishToReceiveMs.P99)])],
            logarithmic: true);
        return report;
    }

    private static async Task<ManyAppsRun> MeasureAsync(BenchContext context, WebhookReceiver receiver, int appCount, List<string> problems)
    {
        var s = context.Settings;
        var ct = context.CancellationToken;
        await using var herald = await context.StartHeraldAsync();
        var setupStartedAt = BenchClock.Now;
        var targets = await HeraldSetup.CreateAppsAsync(herald.Admin, context.Prefix($"many{appCount}"), appCount, i => receiver.Url($"/many{appCount}/{i}"), context.Secret, ct);
        var setupSeconds = BenchClock.Seconds(setupStartedAt, BenchClock.Now);
        context.Log($"many-apps: {appCount:N0} applications and endpoints created in {setupSeconds:0.0} s");
        var apps = targets.Select(t => t.App).ToList();
        using var publisher = context.NewPublisher(herald, s.Clients);

        var warmUp = receiver.StartRecording();
        var warm = await context.WarmUpAsync(publisher, herald.Nodes, apps, s.Clients, "many-apps");
        await warmUp.WaitForAsync(warm.Accepted, s.DrainTimeout, ct);

        context.Log($"many-apps: {s.Clients} clients publish to {appCount:N0} apps for {s.ScaleDuration.TotalSeconds:0} s");
        var log = receiver.StartRecording();
        var cpu = new CpuMeter(herald);
        var run = await publisher.RunClosedLoopAsync(apps, s.Clients, s.ScaleDuration, null, ct);
        if (!await log.WaitForAsync(run.Accepted, s.DrainTimeout, ct))
        {
            problems.Add($"many-apps {appCount}: only {log.Unique:N0} of {run.Accepted:N0} deliveries arrived.");
        }

        var cpuUse = cpu.Stop();
        var rss = herald.ReadMemory().Sum(m => m?.RssMiB ?? 0);
        if (run.Failed > 0 || log.Invalid > 0)
        {
            problems.Add($"many-apps {appCount}: {run.Failed} publish requests failed (first: {run.FirstError}); {log.Invalid} webhooks failed verification.");
        }

        var seconds = BenchClock.Seconds(run.StartedAt, log.LastArrival);
        var expected = run.Accepted + warm.Accepted;
        var stats = await HeraldSetup.WaitForRecordedAsync(herald.Admin, targets, expected, TimeSpan.FromSeconds(120), ct);
        if (stats.Success != expected)
        {
            problems.Add($"many-apps {appCount}: Herald recorded {stats.Success:N0} successful deliveries, expected {expected:N0}.");
        }

        var result = new ManyAppsRun(
            appCount, Math.Round(setupSeconds, 1), run.Accepted, Math.Round(run.AcceptedPerSecond), run.ResponseMs, log.Unique, Math.Round(seconds, 2),
            Math.Round(log.Unique / seconds), log.Latency(), cpuUse, Math.Round(rss), stats.Success);
        context.Log($"many-apps: {appCount:N0} apps → {result.DeliveriesPerSecond:N0} deliveries/s, p99 {result.PublishToReceiveMs.P99} ms");
        return result;
    }
}
