using Herald.Bench.Harness;
using Herald.Bench.Reporting;

namespace Herald.Bench.Scenarios;

internal sealed record ThroughputResult(
    int Apps, int Clients, double PublishSeconds, long Accepted, long Failed, double AcceptedPerSecond,
    long Delivered, double DeliverySeconds, double DeliveriesPerSecond, double TailAfterPublishSeconds,
    double CeilingPerSecond, double RatioToCeiling, long Expected, long RecordedSuccess, long RecordedPending, long RecordedFail,
    long SampleEndpointAttempts, long SampleEndpointSuccess, long Duplicates,
    LatencySummary PublishResponseMs, LatencySummary DeliveryLatencyMs, CpuUse Cpu, double PeakRssMiB)
{
    /// <summary>Every accepted message (warm-up included) has a successful delivery in storage, with its attempt.</summary>
    public bool AllRecorded => RecordedSuccess == Expected && RecordedPending == 0 && RecordedFail == 0 && SampleEndpointAttempts >= SampleEndpointSuccess;
}

/// <summary>
/// <c>throughput</c>: apps with one endpoint each on the receiver; many clients publish as fast as Herald accepts for a
/// fixed time. Messages accepted/s, deliveries/s until the last one arrived, the ratio to the ceiling of the same run,
/// and a check that Herald recorded every delivery. Then the ingest-only variant (apps without endpoints).
/// </summary>
internal sealed class ThroughputScenario : IScenario
{

    public string Name => "throughput";

    public async Task<ScenarioReport> RunAsync(BenchContext context)
    {
        var s = context.Settings;
        var report = new ScenarioReport(Name)
        {
            Settings = new { s.Apps, s.Clients, DurationSeconds = s.ThroughputDuration.TotalSeconds, s.Storage, s.Nodes, WarmUpSeconds = s.WarmUp.TotalSeconds },
        };
        var measuredHere = context.Ceiling is null;
        var ceiling = context.Ceiling ?? await CeilingScenario.MeasureAsync(context, s.CeilingDuration, s.CeilingClients);
        ThroughputResult result;
        await using (var receiver = await WebhookReceiver.StartAsync(context.Secret))
        await using (var herald = await context.StartHeraldAsync())
        {
            result = await MeasureAsync(context, herald, receiver, s.Apps, s.Clients, s.ThroughputDuration, ceiling, report.Problems);
        }

        IngestResult ingest;
        await using (var herald = await context.StartHeraldAsync())
        {
            ingest = await IngestOnly.MeasureAsync(context, herald, s.Apps, s.Clients, s.ThroughputDuration, report.Problems);
        }

        context.Throughput = result;
        report.Results = new { Webhooks = result, IngestOnly = ingest };
        if (measuredHere)
        {
            report.Tables.Add(CeilingScenario.Table(ceiling)); // Else the ceiling scenario of this run printed it.
        }

        report.Tables.Add(Table(result));
        report.Tables.Add(IngestOnly.Table(ingest));
        report.Targets.Add(Target(result));
        report.Targets.Add(IngestOnly.Target(ingest));
        report.Charts["throughput.svg"] = SvgBarChart.Render(
            "Throughput on this machine",
            $"ceiling = signed POSTs straight to the receiver; Herald: {result.Apps} apps × 1 endpoint, {result.Clients} publishing clients",
            "per second",
            ["ceiling deliveries/s", "Herald deliveries/s", "Herald accepted msg/s", "ingest only msg/s"],
            [new ChartSeries("per second", [result.CeilingPerSecond, result.DeliveriesPerSecond, result.AcceptedPerSecond, ingest.AcceptedPerSecond])],
            logarithmic: false,
            [new ChartLine(result.CeilingPerSecond / 2, "target deliveries/s: 50 % of the ceiling"), new ChartLine(IngestOnly.TargetPerSecond, "target ingest: 15,000 msg/s")]);
        return report;
    }

    /// <summary>Publishes as fast as Herald accepts for <paramref name="duration"/> to new apps of <paramref name="herald"/> and waits for every delivery.</summary>
    public static async Task<ThroughputResult> MeasureAsync(
        BenchContext context, HeraldCluster herald, WebhookReceiver receiver, int appCount, int clients, TimeSpan duration, CeilingResult ceiling, List<string> problems)
    {
        var ct = context.CancellationToken;
        var targets = await HeraldSetup.CreateAppsAsync(herald.Admin, context.Prefix("tp"), appCount, i => receiver.Url($"/tp/{i}"), context.Secret, ct);
        var apps = targets.Select(t => t.App).ToList();
        using var publisher = context.NewPublisher(herald, clients);

        var warmUp = receiver.StartRecording();
        var warm = await context.WarmUpAsync(publisher, herald.Nodes, apps, clients, "throughput");
        await warmUp.WaitForAsync(warm.Accepted, context.Settings.DrainTimeout, ct);

        context.Log($"throughput: {clients} clients publish to {appCount} apps (1 endpoint each) for {duration.TotalSeconds:0} s");
        var log = receiver.StartRecording();
        var cpu = new CpuMeter(herald);
        var run = await publisher.RunClosedLoopAsync(apps, clients, duration, null, ct);
        context.Log($"throughput: {run.Accepted:N0} accepted ({run.AcceptedPerSecond:N0}/s), {log.Unique:N0} delivered so far; waiting for the rest");
        if (!await log.WaitForAsync(run.Accepted, context.Settings.DrainTimeout, ct))
        {
            problems.Add($"throughput: only {log.Unique:N0} of {run.Accepted:N0} accepted messages arrived within {context.Settings.DrainTimeout.TotalSeconds:0} s.");
        }

        var cpuUse = cpu.Stop();
        var deliverySeconds = BenchClock.Seconds(run.StartedAt, log.LastArrival);
        var expected = run.Accepted + warm.Accepted;
        var stats = await HeraldSetup.WaitForRecordedAsync(herald.Admin, targets, expected, TimeSpan.FromSeconds(60), ct);
        var sampleAttempts = await HeraldSetup.CountAttemptsAsync(herald.Admin, targets[0], ct);
        var sampleStats = await herald.Admin.Endpoints.GetStatsAsync(targets[0].App, targets[0].Endpoint, cancellationToken: ct);
        var deliveriesPerSecond = deliverySeconds > 0 ? log.Unique / deliverySeconds : 0;
        var result = new ThroughputResult(
            appCount, clients, Math.Round(run.Seconds, 2), run.Accepted, run.Failed, Math.Round(run.AcceptedPerSecond),
            log.Unique, Math.Round(deliverySeconds, 2), Math.Round(deliveriesPerSecond), Math.Round(Math.Max(0, BenchClock.Seconds(run.EndedAt, log.LastArrival)), 2),
            ceiling.DeliveriesPerSecond, Math.Round(deliveriesPerSecond / ceiling.DeliveriesPerSecond, 3), expected,
            stats.Success, stats.Pending + stats.Sending, stats.Fail, sampleAttempts, sampleStats.Success, log.Duplicates,
            run.ResponseMs, log.Latency(), cpuUse, herald.ReadMemory().Max(m => m?.PeakRssMiB ?? 0));
        if (!result.AllRecorded)
        {
            problems.Add($"throughput: Herald's stats show {stats.Success:N0} successful, {result.RecordedPending:N0} pending, {stats.Fail:N0} failed deliveries "
                + $"(expected {expected:N0} successful); the first endpoint lists {sampleAttempts:N0} attempts for {sampleStats.Success:N0} successful deliveries.");
        }

        if (run.Failed > 0 || warm.Failed > 0 || log.Invalid > 0)
        {
            problems.Add($"throughput: {run.Failed + warm.Failed} publish requests failed (first: {run.FirstError ?? warm.FirstError}); {log.Invalid} webhooks failed verification.");
        }

        context.Log($"throughput: {result.DeliveriesPerSecond:N0} deliveries/s ({Cells.Percent(result.RatioToCeiling)} of the ceiling)");
        return result;
    }

    public static TargetCheck Target(ThroughputResult r) => new(
        "throughput: deliveries/s ≥ 50 % of ceiling (same run), every attempt recorded",
        $"{Cells.Number(r.DeliveriesPerSecond)}/s = {Cells.Percent(r.RatioToCeiling)} of {Cells.Number(r.CeilingPerSecond)}/s; {(r.AllRecorded ? "all recorded" : "NOT all recorded")}",
        r.RatioToCeiling >= 0.5 && r.AllRecorded);

    public static ReportTable Table(ThroughputResult r) => new(
        "throughput: publish through the API as fast as Herald accepts, deliver to the receiver",
        ["apps", "clients", "publish s", "accepted", "accepted msg/s", "publish p50/p99 ms", "delivered", "deliveries/s", "ceiling/s", "ratio", "tail after publish s", "CPU cores Herald / bench", "recorded (stats; endpoint 0 attempts)"],
        [[
            Cells.Number(r.Apps), Cells.Number(r.Clients), Cells.Number(r.PublishSeconds), Cells.Number(r.Accepted), Cells.Number(r.AcceptedPerSecond),
            $"{Cells.Number(r.PublishResponseMs.P50)} / {Cells.Number(r.PublishResponseMs.P99)}",
            Cells.Number(r.Delivered), Cells.Number(r.DeliveriesPerSecond), Cells.Number(r.CeilingPerSecond), Cells.Percent(r.RatioToCeiling),
            Cells.Number(r.TailAfterPublishSeconds), $"{Cells.Number(r.Cpu.HeraldCores)} / {Cells.Number(r.Cpu.BenchCores)}",
            $"{Cells.Number(r.RecordedSuccess)} of {Cells.Number(r.Expected)} ok, {r.RecordedPending} pending, {r.RecordedFail} failed; {Cells.Number(r.SampleEndpointAttempts)} attempts for {Cells.Number(r.SampleEndpointSuccess)}",
        ]]);
}
