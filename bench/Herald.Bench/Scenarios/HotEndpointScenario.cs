using Herald.Bench.Harness;
using Herald.Bench.Reporting;

namespace Herald.Bench.Scenarios;

internal sealed record HotEndpointPhase(string Limit, long Published, long Delivered, double DeliveriesPerSecond, LatencySummary PublishToReceiveMs);

/// <summary>
/// <c>hot-endpoint</c> (issue 16): one application, one endpoint whose receiver takes <c>--receiver-latency-ms</c>
/// (default 50 ms) to answer each webhook, published to as fast as 64 closed-loop clients go. With a fixed cap of 16
/// sends in flight such an endpoint gets at most 16 / 0.05 s = 320 deliveries/s; with the adaptive limit it grows while
/// the receiver keeps answering quickly. Two fresh Herald processes: the limit fixed at 16
/// (<c>MaxConcurrentPerEndpointCeiling=16</c>), then adaptive (the defaults).
/// </summary>
internal sealed class HotEndpointScenario : IScenario
{
    private const int Clients = 64;

    public string Name => "hot-endpoint";

    public async Task<ScenarioReport> RunAsync(BenchContext context)
    {
        var s = context.Settings;
        var report = new ScenarioReport(Name)
        {
            Settings = new { s.ReceiverLatencyMs, Clients, DurationSeconds = s.LatencyDuration.TotalSeconds, s.Storage, s.Nodes },
        };
        var phases = new List<HotEndpointPhase>();
        foreach (var (limit, environment) in new (string, Dictionary<string, string>)[]
        {
            ("fixed 16", new() { ["Herald__Delivery__MaxConcurrentPerEndpointCeiling"] = "16" }),
            ("adaptive (16 → ceiling 64)", new()),
        })
        {
            phases.Add(await MeasureAsync(context, limit, environment));
        }

        report.Results = phases;
        report.Tables.Add(new ReportTable(
            $"hot-endpoint: one endpoint answering in {s.ReceiverLatencyMs} ms, {Clients} publishing clients for {s.LatencyDuration.TotalSeconds:0} s",
            ["per-endpoint limit", "published", "delivered in the window", "deliveries/s", "publish→receive p50 ms", "p99 ms"],
            [.. phases.Select(p => (IReadOnlyList<string>)[
                p.Limit, Cells.Number(p.Published), Cells.Number(p.Delivered), Cells.Number(p.DeliveriesPerSecond),
                Cells.Number(p.PublishToReceiveMs.P50), Cells.Number(p.PublishToReceiveMs.P99),
            ])]));
        return report;
    }

    private static async Task<HotEndpointPhase> MeasureAsync(BenchContext context, string limit, IReadOnlyDictionary<string, string> environment)
    {
        var s = context.Settings;
        var ct = context.CancellationToken;
        await using var receiver = await WebhookReceiver.StartAsync(context.Secret);
        receiver.AddedLatency = TimeSpan.FromMilliseconds(s.ReceiverLatencyMs);
        await using var herald = await context.StartHeraldAsync(environment);
        var apps = (await HeraldSetup.CreateAppsAsync(herald.Admin, context.Prefix("hot"), 1, _ => receiver.Url("/hot"), context.Secret, ct))
            .Select(t => t.App).ToList();
        using var publisher = context.NewPublisher(herald, Clients);
        var warmUp = receiver.StartRecording();
        // A fixed warm-up, not one until the JIT settles: the endpoint's pace (its limit over the receiver's 50 ms), not
        // Herald's CPU, bounds this scenario, and every second of warm-up queues seconds more for the drain below.
        var warm = await publisher.RunClosedLoopAsync(apps, Clients, context.WarmUp, null, ct);
        await warmUp.WaitForAsync(warm.Accepted, s.DrainTimeout, ct);

        context.Log($"hot-endpoint ({limit}): {Clients} clients for {s.LatencyDuration.TotalSeconds:0} s, receiver answering in {s.ReceiverLatencyMs} ms");
        var log = receiver.StartRecording();
        var run = await publisher.RunClosedLoopAsync(apps, Clients, s.LatencyDuration, null, ct);
        var delivered = log.Unique; // Arrived while publishing: the endpoint's rate, not the drain's.
        var seconds = BenchClock.Seconds(run.StartedAt, BenchClock.Now);
        await log.WaitForAsync(run.Accepted, s.DrainTimeout, ct);
        return new HotEndpointPhase(limit, run.Accepted, delivered, delivered / seconds, log.Latency());
    }
}
