using System.Net.Http.Headers;
using System.Text;
using Herald.Bench.Harness;
using Herald.Bench.Reporting;

namespace Herald.Bench.Scenarios;

internal sealed record FifoPhase(string Endpoint, long Published, long Delivered, double DeliveriesPerSecond, LatencySummary PublishToReceiveMs);

/// <summary>
/// <c>fifo</c> (issue 19): the throughput of one FIFO endpoint (messages strictly in sequence order, one request at a
/// time), against the same endpoint unordered. One application, a receiver answering at once, 8 closed-loop publishing
/// clients; each phase on a fresh Herald. A FIFO endpoint's rate is bounded by one round trip plus the attempt's
/// storage write and the scan that claims the next head, per message.
/// </summary>
internal sealed class FifoScenario : IScenario
{
    private const int Clients = 8;

    public string Name => "fifo";

    public async Task<ScenarioReport> RunAsync(BenchContext context)
    {
        var s = context.Settings;
        var report = new ScenarioReport(Name)
        {
            Settings = new { Clients, DurationSeconds = s.LatencyDuration.TotalSeconds, s.Storage, s.Nodes },
        };
        var phases = new List<FifoPhase> { await MeasureAsync(context, fifo: false), await MeasureAsync(context, fifo: true) };
        report.Results = phases;
        report.Tables.Add(new ReportTable(
            $"fifo: one endpoint answering at once, {Clients} publishing clients for {s.LatencyDuration.TotalSeconds:0} s",
            ["endpoint", "published", "delivered in the window", "deliveries/s", "publish→receive p50 ms", "p99 ms"],
            [.. phases.Select(p => (IReadOnlyList<string>)[
                p.Endpoint, Cells.Number(p.Published), Cells.Number(p.Delivered), Cells.Number(p.DeliveriesPerSecond),
                Cells.Number(p.PublishToReceiveMs.P50), Cells.Number(p.PublishToReceiveMs.P99),
            ])]));
        return report;
    }

    private static async Task<FifoPhase> MeasureAsync(BenchContext context, bool fifo)
    {
        var s = context.Settings;
        var ct = context.CancellationToken;
        await using var receiver = await WebhookReceiver.StartAsync(context.Secret);
        await using var herald = await context.StartHeraldAsync(new Dictionary<string, string>());
        var apps = (await HeraldSetup.CreateAppsAsync(herald.Admin, context.Prefix(fifo ? "fifo" : "unordered"), 1, _ => receiver.Url("/fifo"), context.Secret, ct))
            .Select(t => t.App).ToList();
        if (fifo)
        {
            // The C# client has no FIFO fields yet: a raw PATCH.
            using var http = new HttpClient { BaseAddress = herald.NodeUrls[0] };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", herald.AdminToken);
            using var body = new StringContent("""{"fifo":true}""", Encoding.UTF8, "application/json");
            (await http.PatchAsync($"/api/v1/app/{apps[0]}/endpoint/ep", body, ct)).EnsureSuccessStatusCode();
        }

        var name = fifo ? "FIFO" : "unordered";
        using var publisher = context.NewPublisher(herald, Clients);
        var warmUp = receiver.StartRecording();
        // A fixed warm-up, not one until the JIT settles: one endpoint's pace (and FIFO's one send at a time) bounds this
        // scenario, not Herald's CPU, and every second of warm-up queues more for the drain below.
        var warm = await publisher.RunClosedLoopAsync(apps, Clients, context.WarmUp, null, ct);
        await warmUp.WaitForAsync(warm.Accepted, s.DrainTimeout, ct);

        context.Log($"fifo ({name}): {Clients} clients for {s.LatencyDuration.TotalSeconds:0} s");
        var log = receiver.StartRecording();
        var run = await publisher.RunClosedLoopAsync(apps, Clients, s.LatencyDuration, null, ct);
        var delivered = log.Unique; // Arrived while publishing: the endpoint's rate, not the drain's.
        var seconds = BenchClock.Seconds(run.StartedAt, BenchClock.Now);
        await log.WaitForAsync(run.Accepted, s.DrainTimeout, ct);
        return new FifoPhase(name, run.Accepted, delivered, delivered / seconds, log.Latency());
    }
}
