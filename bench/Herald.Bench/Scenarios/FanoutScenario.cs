using System.Globalization;
using Herald.Bench.Harness;
using Herald.Bench.Reporting;

namespace Herald.Bench.Scenarios;

internal sealed record FanoutRun(
    int Endpoints, long Messages, double PublishSeconds, double AcceptedPerSecond, long Deliveries, double Seconds, double DeliveriesPerSecond,
    LatencySummary PublishToReceiveMs, LatencySummary PublishResponseMs, CpuUse Cpu, long RecordedSuccess);

/// <summary>
/// <c>fanout</c>: one application with 1, 10, 100, then 1,000 endpoints (<c>--fanout</c>) on the receiver, each at its own path; every message
/// goes to all of them. Enough messages for a measurable number of deliveries (or as many as Herald accepts in
/// <see cref="BenchSettings.FanoutDuration"/>); deliveries/s from the first publish to the last arrival.
/// </summary>
internal sealed class FanoutScenario : IScenario
{
    private const int Clients = 16;
    private const int DefaultEndpointLimit = 500;

    public string Name => "fanout";

    public async Task<ScenarioReport> RunAsync(BenchContext context)
    {
        var s = context.Settings;
        var report = new ScenarioReport(Name) { Settings = new { s.Fanouts, s.FanoutDeliveries, MaxPublishSeconds = s.FanoutDuration.TotalSeconds, Clients, s.Storage, s.Nodes } };
        var runs = new List<FanoutRun>();
        await using var receiver = await WebhookReceiver.StartAsync(context.Secret);
        foreach (var endpoints in s.Fanouts)
        {
            runs.Add(await MeasureAsync(context, receiver, endpoints, Math.Max(1, s.FanoutDeliveries / endpoints), report.Problems));
        }

        report.Results = runs;
        report.Tables.Add(new ReportTable(
            "fanout: one message to many endpoints",
            ["endpoints", "messages", "accepted msg/s", "publish p50/p99 ms", "deliveries", "seconds", "deliveries/s", "publish→receive p50 ms", "p99 ms", "CPU cores Herald / bench", "recorded"],
            [.. runs.Select(r => (IReadOnlyList<string>)[
                Cells.Number(r.Endpoints), Cells.Number(r.Messages), Cells.Number(r.AcceptedPerSecond),
                $"{Cells.Number(r.PublishResponseMs.P50)} / {Cells.Number(r.PublishResponseMs.P99)}", Cells.Number(r.Deliveries), Cells.Number(r.Seconds),
                Cells.Number(r.DeliveriesPerSecond), Cells.Number(r.PublishToReceiveMs.P50), Cells.Number(r.PublishToReceiveMs.P99),
                $"{Cells.Number(r.Cpu.HeraldCores)} / {Cells.Number(r.Cpu.BenchCores)}", Cells.Number(r.RecordedSuccess),
            ])]));
        report.Charts["fanout.svg"] = SvgBarChart.Render(
            "Fan-out: deliveries per second",
            $"one application, every message to every endpoint; {Clients} publishing clients",
            "deliveries per second",
            [.. runs.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Endpoints} endpoints"))],
            [new ChartSeries("deliveries/s", [.. runs.Select(r => r.DeliveriesPerSecond)])],
            logarithmic: false);
        report.Charts["fanout-latency.svg"] = SvgBarChart.Render(
            "Fan-out: publish→receive latency",
            $"one application, every message to every endpoint; {Clients} closed-loop publishing clients; log scale",
            "milliseconds",
            [.. runs.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Endpoints} endpoints"))],
            [new ChartSeries("p50", [.. runs.Select(r => r.PublishToReceiveMs.P50)]), new ChartSeries("p99", [.. runs.Select(r => r.PublishToReceiveMs.P99)])],
            logarithmic: true);
        return report;
    }

    private static async Task<FanoutRun> MeasureAsync(BenchContext context, WebhookReceiver receiver, int endpoints, int messages, List<string> problems)
    {
        var ct = context.CancellationToken;
        // The default allows 500 endpoints per application (Herald:Limits:EndpointsPerApplication); larger fan-outs raise it.
        var environment = endpoints > DefaultEndpointLimit
            ? new Dictionary<string, string> { ["Herald__Limits__EndpointsPerApplication"] = endpoints.ToString(CultureInfo.InvariantCulture) }
            : null;
        await using var herald = await context.StartHeraldAsync(environment);
        var app = context.Prefix($"fan{endpoints}");
        var targets = await HeraldSetup.CreateFanoutAppAsync(herald.Admin, app, endpoints, i => receiver.Url($"/fan{endpoints}/{i}"), context.Secret, ct);
        using var publisher = context.NewPublisher(herald, Clients);

        var warmUp = receiver.StartRecording();
        var warm = await publisher.RunClosedLoopAsync([app], Clients, null, Math.Max(2, 200 / endpoints), ct);
        await warmUp.WaitForAsync(warm.Accepted * endpoints, TimeSpan.FromSeconds(60), ct);

        context.Log($"fanout: {messages:N0} messages (at most {context.Settings.FanoutDuration.TotalSeconds:0} s of publishing) to {endpoints} endpoints each");
        var log = receiver.StartRecording();
        var cpu = new CpuMeter(herald);
        var run = await publisher.RunClosedLoopAsync([app], Clients, context.Settings.FanoutDuration, messages, ct);
        var expected = run.Accepted * endpoints;
        if (!await log.WaitForAsync(expected, context.Settings.DrainTimeout, ct))
        {
            problems.Add($"fanout {endpoints}: only {log.Unique:N0} of {expected:N0} deliveries arrived.");
        }

        if (run.Failed > 0 || log.Invalid > 0)
        {
            problems.Add($"fanout {endpoints}: {run.Failed} publish requests failed (first: {run.FirstError}); {log.Invalid} webhooks failed verification.");
        }

        var cpuUse = cpu.Stop();
        var seconds = BenchClock.Seconds(run.StartedAt, log.LastArrival);
        var stats = await HeraldSetup.WaitForRecordedAsync(herald.Admin, targets, expected + (warm.Accepted * endpoints), TimeSpan.FromSeconds(60), ct);
        if (stats.Success != expected + (warm.Accepted * endpoints))
        {
            problems.Add($"fanout {endpoints}: Herald recorded {stats.Success:N0} successful deliveries, expected {expected + (warm.Accepted * endpoints):N0}.");
        }

        var result = new FanoutRun(
            endpoints, run.Accepted, Math.Round(run.Seconds, 2), Math.Round(run.AcceptedPerSecond), log.Unique, Math.Round(seconds, 2),
            Math.Round(log.Unique / seconds), log.Latency(), run.ResponseMs, cpuUse, stats.Success);
        context.Log($"fanout: {endpoints} endpoints → {result.DeliveriesPerSecond:N0} deliveries/s");
        return result;
    }
}
