using Herald.Bench.Bare;
using Herald.Bench.Harness;
using Herald.Bench.Reporting;

namespace Herald.Bench.Scenarios;

/// <summary>One server's figure in the bounds scenario.</summary>
/// <remarks><see cref="Messages"/>: accepted in the measured phase, which <see cref="CpuUse.HeraldBytesWritten"/> is divided by.</remarks>
internal sealed record BoundRow(
    string Server, double PerSecond, long Messages, LatencySummary PublishResponseMs, LatencySummary DeliveryLatencyMs, CpuUse Cpu, bool Overloaded = false)
{
    public double BytesWrittenPerMessage => Messages > 0 ? Math.Round((double)Cpu.HeraldBytesWritten / Messages) : 0;

    /// <summary>The server's CPU time per message (or delivery): its cores divided by the rate.</summary>
    public double CpuMicrosecondsPerMessage => PerSecond > 0 ? Math.Round(Cpu.HeraldCores / PerSecond * 1e6) : 0;
}

internal sealed record BoundsResult(
    double CeilingPerSecond, IReadOnlyList<BoundRow> Deliveries, IReadOnlyList<BoundRow> Ingest, IReadOnlyList<BoundRow> Latency, int LatencyRate);

/// <summary>
/// <c>bounds</c>: what this machine allows for the <em>shape</em> of Herald's work, measured beside Herald in one run. The
/// targets of issue 16 compare Herald with the ceiling C (one signed exchange) and H = C/2 (two). A bare server
/// (<see cref="BareServer"/>) that does only the minimum of each measure gives the tighter bound: the relay (no
/// storage: both exchanges and nothing else), the durable relay (the message and the attempt's outcome group-committed,
/// nothing else), and the durable ingest. Each runs through the same load generator, receiver, warm-up and durations
/// as Herald's throughput, ingest-only and latency measures, which it runs too, so that every ratio is of one run.
/// </summary>
internal sealed class BoundsScenario : IScenario
{
    private const int LatencyRate = 1000;

    public string Name => "bounds";

    public async Task<ScenarioReport> RunAsync(BenchContext context)
    {
        var s = context.Settings;
        var report = new ScenarioReport(Name)
        {
            Settings = new { s.Apps, s.Clients, DurationSeconds = s.ThroughputDuration.TotalSeconds, LatencyRate, LatencySeconds = s.LatencyDuration.TotalSeconds, s.Storage, s.Nodes },
        };
        var measuredHere = context.Ceiling is null;
        var ceiling = context.Ceiling ?? await CeilingScenario.MeasureAsync(context, s.CeilingDuration, s.CeilingClients);
        var problems = report.Problems;

        List<BoundRow> deliveries = [];
        List<BoundRow> ingest = [];
        List<BoundRow> latency = [];
        await using (var receiver = await WebhookReceiver.StartAsync(context.Secret))
        {
            deliveries.Add(await BareClosedLoopAsync(context, BareMode.Relay, receiver, problems));
            deliveries.Add(await BareClosedLoopAsync(context, BareMode.StoreRelay, receiver, problems));
            await using (var herald = await context.StartHeraldAsync())
            {
                var r = await ThroughputScenario.MeasureAsync(context, herald, receiver, s.Apps, s.Clients, s.ThroughputDuration, ceiling, problems);
                deliveries.Add(new BoundRow("Herald", r.DeliveriesPerSecond, r.Accepted, r.PublishResponseMs, r.DeliveryLatencyMs, r.Cpu));
            }

            ingest.Add(await BareClosedLoopAsync(context, BareMode.Store, receiver: null, problems));
            await using (var herald = await context.StartHeraldAsync())
            {
                var r = await IngestOnly.MeasureAsync(context, herald, s.Apps, s.Clients, s.ThroughputDuration, problems);
                ingest.Add(new BoundRow("Herald", r.AcceptedPerSecond, r.Accepted, r.ResponseMs, LatencySummary.Empty, r.Cpu));
            }

            latency.Add(await BareOpenLoopAsync(context, BareMode.Relay, receiver, problems));
            latency.Add(await BareOpenLoopAsync(context, BareMode.StoreRelay, receiver, problems));
            await using (var herald = await context.StartHeraldAsync())
            {
                var r = (await LatencyScenario.MeasureAsync(context, herald, receiver, s.Apps, [LatencyRate], s.LatencyDuration, problems))[0];
                latency.Add(new BoundRow("Herald", r.Delivered / Math.Max(r.Seconds, 0.001), r.Published, r.PublishResponseMs, r.PublishToReceiveMs, r.Cpu, r.Overloaded));
            }
        }

        var result = new BoundsResult(ceiling.DeliveriesPerSecond, deliveries, ingest, latency, LatencyRate);
        report.Results = result;
        if (measuredHere)
        {
            report.Tables.Add(CeilingScenario.Table(ceiling));
        }

        report.Tables.AddRange(Tables(result, s));
        report.Charts["bounds.svg"] = SvgBarChart.Render(
            "Herald against bare servers on this machine",
            $"{s.Apps} apps × 1 endpoint, {s.Clients} closed-loop clients; bare = the least a server of that shape does",
            "deliveries/s",
            [.. deliveries.Select(r => r.Server)],
            [new ChartSeries("deliveries/s", [.. deliveries.Select(r => r.PerSecond)])],
            logarithmic: false,
            [new ChartLine(ceiling.DeliveriesPerSecond / 2, "H = half the ceiling"), new ChartLine(0.6 * ceiling.DeliveriesPerSecond / 2, "issue 16 target: 0.60 H")]);
        return report;
    }

    private static string Label(BareMode mode) => mode switch
    {
        BareMode.Relay => "bare relay (stores nothing)",
        BareMode.Store => "bare durable ingest",
        _ => "bare durable relay (message and attempt group-committed)",
    };

    /// <summary>The bare server under the same closed-loop publishing as Herald's throughput (or ingest only, with no receiver).</summary>
    private static async Task<BoundRow> BareClosedLoopAsync(BenchContext context, BareMode mode, WebhookReceiver? receiver, List<string> problems)
    {
        var s = context.Settings;
        var ct = context.CancellationToken;
        await using var bare = await BareCluster.StartAsync(context, mode, receiver?.BaseUrl);
        var apps = Enumerable.Range(0, s.Apps).Select(i => $"{context.Prefix("bare")}-{i}").ToList();
        using var publisher = new Publisher(bare.NodeUrls, bare.Token, Math.Max(s.Clients, 16));

        var warmLog = receiver?.StartRecording();
        var warm = await context.WarmUpAsync(publisher, bare.Nodes, apps, s.Clients, $"bounds, {Label(mode)}");
        if (warmLog is not null)
        {
            await warmLog.WaitForAsync(warm.Accepted, s.DrainTimeout, ct);
        }

        context.Log($"bounds: {Label(mode)}, {s.Clients} clients, {s.ThroughputDuration.TotalSeconds:0} s");
        var log = receiver?.StartRecording();
        var cpu = new CpuMeter(bare.Nodes);
        var run = await publisher.RunClosedLoopAsync(apps, s.Clients, s.ThroughputDuration, null, ct);
        if (log is not null && !await log.WaitForAsync(run.Accepted, s.DrainTimeout, ct))
        {
            problems.Add($"bounds, {Label(mode)}: only {log.Unique:N0} of {run.Accepted:N0} accepted messages arrived.");
        }

        var cpuUse = cpu.Stop();
        if (run.Failed > 0 || warm.Failed > 0 || log?.Invalid > 0)
        {
            problems.Add($"bounds, {Label(mode)}: {run.Failed + warm.Failed} publish requests failed (first: {run.FirstError ?? warm.FirstError}); {log?.Invalid ?? 0} webhooks failed verification.");
        }

        var perSecond = log is null ? run.AcceptedPerSecond : log.Unique / Math.Max(BenchClock.Seconds(run.StartedAt, log.LastArrival), 0.001);
        context.Log($"bounds: {Label(mode)}: {perSecond:N0}/s");
        return new BoundRow(Label(mode), Math.Round(perSecond), run.Accepted, run.ResponseMs, log?.Latency() ?? LatencySummary.Empty, cpuUse);
    }

    /// <summary>The bare server under the same open-loop publishing at 1,000 msg/s as Herald's latency measure, with the same warm-up.</summary>
    private static async Task<BoundRow> BareOpenLoopAsync(BenchContext context, BareMode mode, WebhookReceiver receiver, List<string> problems)
    {
        var s = context.Settings;
        var ct = context.CancellationToken;
        await using var bare = await BareCluster.StartAsync(context, mode, receiver.BaseUrl);
        var apps = Enumerable.Range(0, s.Apps).Select(i => $"{context.Prefix("bare-lat")}-{i}").ToList();
        using (var closedLoop = new Publisher(bare.NodeUrls, bare.Token, 16))
        {
            var warmLog = receiver.StartRecording();
            var loaded = await context.WarmUpAsync(closedLoop, bare.Nodes, apps, 8, $"bounds, {Label(mode)}");
            await warmLog.WaitForAsync(loaded.Accepted, s.DrainTimeout, ct);
        }

        using var publisher = new Publisher(bare.NodeUrls, bare.Token, 2048);
        var warmUp = receiver.StartRecording();
        var warm = await publisher.RunAtRateAsync(apps, 100, TimeSpan.FromSeconds(1), ct);
        await warmUp.WaitForAsync(warm.Accepted, s.DrainTimeout, ct);

        context.Log($"bounds: {Label(mode)} at {LatencyRate:N0} msg/s for {s.LatencyDuration.TotalSeconds:0} s");
        var log = receiver.StartRecording();
        var cpu = new CpuMeter(bare.Nodes);
        var run = await publisher.RunAtRateAsync(apps, LatencyRate, s.LatencyDuration, ct);
        if (!await log.WaitForAsync(run.Accepted, s.DrainTimeout, ct))
        {
            problems.Add($"bounds, {Label(mode)} at {LatencyRate}/s: only {log.Unique:N0} of {run.Accepted:N0} accepted messages arrived.");
        }

        if (run.Failed > 0 || log.Invalid > 0)
        {
            problems.Add($"bounds, {Label(mode)} at {LatencyRate}/s: {run.Failed} publish requests failed (first: {run.FirstError}); {log.Invalid} webhooks failed verification.");
        }

        var latency = log.Latency();
        context.Log($"bounds: {Label(mode)} at {LatencyRate:N0} msg/s → p50 {latency.P50} ms, p99 {latency.P99} ms");
        return new BoundRow(Label(mode), Math.Round(log.Unique / Math.Max(run.Seconds, 0.001)), run.Accepted, run.ResponseMs, latency, cpu.Stop(), run.Overloaded);
    }

    private static IEnumerable<ReportTable> Tables(BoundsResult r, BenchSettings s)
    {
        var h = r.CeilingPerSecond / 2;
        yield return new ReportTable(
            $"bounds: deliveries/s, {s.Apps} apps × 1 endpoint, {s.Clients} closed-loop clients (H = {Cells.Number(h)}/s, half the ceiling of this run)",
            ["server", "deliveries/s", "× H", "× bare relay", "publish p50/p99 ms", "publish→receive p50/p99 ms", "CPU cores server / bench", "server CPU µs per message", "server bytes written per message"],
            [.. r.Deliveries.Select(row => (IReadOnlyList<string>)[
                row.Server, Cells.Number(row.PerSecond), Cells.Ratio(row.PerSecond / h), Cells.Ratio(row.PerSecond / r.Deliveries[0].PerSecond),
                $"{Cells.Number(row.PublishResponseMs.P50)} / {Cells.Number(row.PublishResponseMs.P99)}",
                $"{Cells.Number(row.DeliveryLatencyMs.P50)} / {Cells.Number(row.DeliveryLatencyMs.P99)}",
                $"{Cells.Number(row.Cpu.HeraldCores)} / {Cells.Number(row.Cpu.BenchCores)}", Cells.Number(row.CpuMicrosecondsPerMessage), Cells.Number(row.BytesWrittenPerMessage),
            ])]);
        yield return new ReportTable(
            $"bounds: ingest only (C = {Cells.Number(r.CeilingPerSecond)}/s)",
            ["server", "accepted msg/s", "× C", "× bare durable ingest", "publish p50/p99 ms", "CPU cores server / bench", "server CPU µs per message", "server bytes written per message"],
            [.. r.Ingest.Select(row => (IReadOnlyList<string>)[
                row.Server, Cells.Number(row.PerSecond), Cells.Ratio(row.PerSecond / r.CeilingPerSecond), Cells.Ratio(row.PerSecond / r.Ingest[0].PerSecond),
                $"{Cells.Number(row.PublishResponseMs.P50)} / {Cells.Number(row.PublishResponseMs.P99)}",
                $"{Cells.Number(row.Cpu.HeraldCores)} / {Cells.Number(row.Cpu.BenchCores)}", Cells.Number(row.CpuMicrosecondsPerMessage), Cells.Number(row.BytesWrittenPerMessage),
            ])]);
        yield return new ReportTable(
            $"bounds: publish→receive at {r.LatencyRate:N0} msg/s (open loop, {s.LatencyDuration.TotalSeconds:0} s)",
            ["server", "kept up", "p50 ms", "p90 ms", "p99 ms", "max ms", "publish 202 p50/p99 ms", "CPU cores server / bench"],
            [.. r.Latency.Select(row => (IReadOnlyList<string>)[
                row.Server, row.Overloaded ? "no (abandoned)" : "yes",
                Cells.Number(row.DeliveryLatencyMs.P50), Cells.Number(row.DeliveryLatencyMs.P90), Cells.Number(row.DeliveryLatencyMs.P99), Cells.Number(row.DeliveryLatencyMs.Max),
                $"{Cells.Number(row.PublishResponseMs.P50)} / {Cells.Number(row.PublishResponseMs.P99)}",
                $"{Cells.Number(row.Cpu.HeraldCores)} / {Cells.Number(row.Cpu.BenchCores)}",
            ])]);
    }
}
