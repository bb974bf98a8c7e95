using Herald.Bench.Harness;
using Herald.Bench.Reporting;

namespace Herald.Bench.Scenarios;

internal sealed record IngestResult(
    int Apps, int Clients, double Seconds, long Accepted, long Failed, double AcceptedPerSecond, LatencySummary ResponseMs, CpuUse Cpu, double PeakRssMiB);

/// <summary>The ingest-only variant of throughput: the same publishing against apps without endpoints.</summary>
internal static class IngestOnly
{
    public const double TargetPerSecond = 15_000;

    public static async Task<IngestResult> MeasureAsync(BenchContext context, HeraldCluster herald, int appCount, int clients, TimeSpan duration, List<string> problems)
    {
        var ct = context.CancellationToken;
        var targets = await HeraldSetup.CreateAppsAsync(herald.Admin, context.Prefix("ingest"), appCount, endpointUrl: null, context.Secret, ct);
        var apps = targets.Select(t => t.App).ToList();
        using var publisher = context.NewPublisher(herald, clients);
        await context.WarmUpAsync(publisher, herald.Nodes, apps, clients, "ingest only"); // A fresh process may serve this part.
        context.Log($"ingest only: {clients} clients publish to {appCount} apps without endpoints for {duration.TotalSeconds:0} s");
        var cpu = new CpuMeter(herald);
        var run = await publisher.RunClosedLoopAsync(apps, clients, duration, null, ct);
        var cpuUse = cpu.Stop();
        if (run.Failed > 0)
        {
            problems.Add($"ingest only: {run.Failed} publish requests failed (first: {run.FirstError}).");
        }

        context.Log($"ingest only: {run.AcceptedPerSecond:N0} messages/s accepted");
        return new IngestResult(
            appCount, clients, Math.Round(run.Seconds, 2), run.Accepted, run.Failed, Math.Round(run.AcceptedPerSecond), run.ResponseMs, cpuUse,
            herald.ReadMemory().Max(m => m?.PeakRssMiB ?? 0));
    }

    public static ReportTable Table(IngestResult r) => new(
        "ingest only: the same publishing, applications without endpoints",
        ["apps", "clients", "seconds", "accepted", "accepted msg/s", "publish p50 ms", "p99 ms", "CPU cores Herald / bench", "server peak RSS MiB"],
        [[
            Cells.Number(r.Apps), Cells.Number(r.Clients), Cells.Number(r.Seconds), Cells.Number(r.Accepted), Cells.Number(r.AcceptedPerSecond),
            Cells.Number(r.ResponseMs.P50), Cells.Number(r.ResponseMs.P99),
            $"{Cells.Number(r.Cpu.HeraldCores)} / {Cells.Number(r.Cpu.BenchCores)}", Cells.Number(r.PeakRssMiB),
        ]]);

    public static TargetCheck Target(IngestResult r) => new(
        "ingest only: ≥ 15,000 messages/s accepted durably",
        $"{Cells.Number(r.AcceptedPerSecond)} msg/s",
        r.AcceptedPerSecond >= TargetPerSecond);
}
