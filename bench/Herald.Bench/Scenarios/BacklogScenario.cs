using System.Globalization;
using Herald.Bench.Harness;
using Herald.Bench.Reporting;

namespace Herald.Bench.Scenarios;

internal sealed record BacklogResult(
    int Apps, long Messages, double QueueSeconds, double AcceptedPerSecond, double DrainSeconds, double DrainPerSecond, long Delivered, long Duplicates,
    long SampleEndpointAttempts, long SampleEndpointDeliveries, double RssBeforeMiB, double RssAtDrainStartMiB, double MaxRssDuringDrainMiB,
    double RssAfterDrainMiB, double PeakRssMiB, long RecordedSuccess, long RecordedPending, long RecordedFail, double? ThroughputDeliveriesPerSecond,
    CpuUse QueueCpu, CpuUse DrainCpu, IReadOnlyList<MemorySample> Memory, BacklogDisk? Disk);

/// <summary>
/// SQLite's files before queueing, after queueing and after the drain, and what that makes per message and per attempt.
/// The queue phase writes the messages, their deliveries and the failed attempts made while the receiver was down;
/// the drain writes one successful attempt per delivery and updates the delivery. Bytes per attempt come from the
/// drain's growth of the database file; bytes per message from the queue's growth minus its failed attempts at that
/// size. The WAL is reused after each checkpoint, so the database file is the measure and the WAL a bound on its error.
/// </summary>
internal sealed record BacklogDisk(
    DiskUse Before, DiskUse AfterQueue, DiskUse AfterDrain, long FailedAttemptsEstimate, double BytesPerAttempt, double BytesPerMessage,
    double BytesPerMessageAllIn);

/// <summary>
/// <c>backlog</c>: the receiver is down (nothing listens on its port: connection refused) while messages queue, then
/// it comes back. Time to drain, and the server's memory sampled from /proc throughout.
/// </summary>
/// <remarks>
/// How "down" meets the retry schedule: a delivery's first attempt fails at once, and with the default schedule the
/// next try comes 5 s and then 5 min later, so a drain would mostly measure the schedule. Disabling the endpoint does
/// not work either: a disabled endpoint gets no deliveries for messages published meanwhile (fan-out is decided at
/// publish time). So this run gives Herald a schedule of 1 s retries (<see cref="Retries"/> of them, far more than a
/// delivery gets while the receiver is down: about one try every 1–2 s of queueing, which took 54–87 s here; with 50,
/// the first deliveries of the 87 s run exhausted their schedule and failed for good): every queued delivery is due again when the receiver comes back, and
/// the drain measures how fast Herald works through a backlog in storage. The failed attempts made while the receiver
/// is down are part of the load, as they would be in a real outage.
/// </remarks>
internal sealed class BacklogScenario : IScenario
{
    public const int Retries = 300;
    private const double FlatMemoryAllowanceMiB = 64;
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(500);

    public string Name => "backlog";

    public static IReadOnlyDictionary<string, string> RetryEnvironment() =>
        Enumerable.Range(0, Retries).ToDictionary(i => $"Herald__Delivery__RetrySchedule__{i}", _ => "00:00:01");

    public async Task<ScenarioReport> RunAsync(BenchContext context)
    {
        var s = context.Settings;
        var report = new ScenarioReport(Name)
        {
            Settings = new { s.Apps, s.Clients, Messages = s.BacklogCount, RetrySchedule = $"{Retries} × 1 s", s.Storage, s.Nodes },
        };
        var result = await MeasureAsync(context, report.Problems);
        report.Results = result;
        report.Tables.Add(new ReportTable(
            $"backlog: {Cells.Number(result.Messages)} messages queued while the receiver is down, then it comes back",
            ["apps", "queue s", "accepted msg/s", "drain s", "drained deliveries/s", "throughput deliveries/s (same run)", "attempts / deliveries (endpoint 0)", "CPU cores Herald / bench: queue, drain", "recorded"],
            [[
                Cells.Number(result.Apps), Cells.Number(result.QueueSeconds), Cells.Number(result.AcceptedPerSecond), Cells.Number(result.DrainSeconds),
                Cells.Number(result.DrainPerSecond), result.ThroughputDeliveriesPerSecond is { } t ? Cells.Number(t) : "not run",
                $"{Cells.Number(result.SampleEndpointAttempts)} / {Cells.Number(result.SampleEndpointDeliveries)}",
                $"{Cells.Number(result.QueueCpu.HeraldCores)} / {Cells.Number(result.QueueCpu.BenchCores)}, {Cells.Number(result.DrainCpu.HeraldCores)} / {Cells.Number(result.DrainCpu.BenchCores)}",
                $"{Cells.Number(result.RecordedSuccess)} ok, {result.RecordedPending} pending, {result.RecordedFail} failed",
            ]]));
        report.Tables.Add(new ReportTable(
            "backlog: server memory (RSS)",
            ["before", "drain starts", "max during drain", "after drain", "peak (VmHWM)"],
            [[
                Cells.Number(result.RssBeforeMiB), Cells.Number(result.RssAtDrainStartMiB), Cells.Number(result.MaxRssDuringDrainMiB),
                Cells.Number(result.RssAfterDrainMiB), Cells.Number(result.PeakRssMiB),
            ]]));
        report.Tables.Add(new ReportTable(
            "backlog: memory samples (MiB)",
            ["seconds", "phase", "delivered", "RSS MiB", "peak MiB"],
            [.. Thin(result.Memory, 16).Select(m => (IReadOnlyList<string>)[
                m.Seconds.ToString("0.0", CultureInfo.InvariantCulture), m.Phase, Cells.Number(m.Progress), Cells.Number(m.RssMiB), Cells.Number(m.PeakRssMiB),
            ])]));
        if (result.Disk is { } disk)
        {
            const double MiB = 1024 * 1024;
            report.Tables.Add(new ReportTable(
                "backlog: bytes on disk (SQLite database file; WAL beside it)",
                ["", "before", "after queue", "after drain"],
                [
                    ["database MiB", Cells.Number(disk.Before.DatabaseBytes / MiB), Cells.Number(disk.AfterQueue.DatabaseBytes / MiB), Cells.Number(disk.AfterDrain.DatabaseBytes / MiB)],
                    ["WAL MiB", Cells.Number(disk.Before.WalBytes / MiB), Cells.Number(disk.AfterQueue.WalBytes / MiB), Cells.Number(disk.AfterDrain.WalBytes / MiB)],
                ]));
            report.Tables.Add(new ReportTable(
                "backlog: bytes per message and per attempt",
                ["messages", "failed attempts while down (est.)", "bytes per message, all in (queue growth / messages)", "bytes per attempt (drain growth / deliveries)", "bytes per message without its attempts", $"extrapolated to 1,000,000 messages, 1 attempt each"],
                [[
                    Cells.Number(result.Messages), Cells.Number(disk.FailedAttemptsEstimate), Cells.Number(disk.BytesPerMessageAllIn),
                    Cells.Number(disk.BytesPerAttempt), Cells.Number(disk.BytesPerMessage),
                    $"{Cells.Number((disk.BytesPerMessage + disk.BytesPerAttempt) * 1_000_000 / (1024 * MiB))} GiB",
                ]]));
        }

        report.Targets.Add(new TargetCheck(
            "backlog: drains at ≥ the throughput rate",
            $"{Cells.Number(result.DrainPerSecond)} deliveries/s vs throughput {(result.ThroughputDeliveriesPerSecond is { } tp ? Cells.Number(tp) + "/s" : "not run")}",
            result.ThroughputDeliveriesPerSecond is { } rate ? result.DrainPerSecond >= rate : null));
        report.Targets.Add(new TargetCheck(
            "backlog: server memory stays flat while draining",
            $"RSS {Cells.Number(result.RssAtDrainStartMiB)} MiB at drain start, max {Cells.Number(result.MaxRssDuringDrainMiB)} MiB during drain (allowed +{FlatMemoryAllowanceMiB} MiB)",
            result.MaxRssDuringDrainMiB <= result.RssAtDrainStartMiB + FlatMemoryAllowanceMiB));
        return report;
    }

    private static async Task<BacklogResult> MeasureAsync(BenchContext context, List<string> problems)
    {
        var s = context.Settings;
        var ct = context.CancellationToken;
        var port = FreePort.Next();
        await using var herald = await context.StartHeraldAsync(RetryEnvironment());
        var targets = await HeraldSetup.CreateAppsAsync(
            herald.Admin, context.Prefix("backlog"), s.Apps, i => $"http://127.0.0.1:{port}/backlog/{i}", context.Secret, ct);
        var apps = targets.Select(t => t.App).ToList();
        using var publisher = context.NewPublisher(herald, s.Clients);
        WebhookReceiver? receiver = null;
        try
        {
            await using var sampler = new MemorySampler(herald, SampleInterval, "idle", () => receiver?.Log.Unique ?? 0);
            await Task.Delay(SampleInterval, ct);
            var rssBefore = sampler.Samples[^1].RssMiB;
            var diskBefore = herald.ReadDisk();

            sampler.Phase = "queue (receiver down)";
            context.Log($"backlog: receiver down; {s.Clients} clients publish {s.BacklogCount:N0} messages to {s.Apps} apps");
            var queueCpu = new CpuMeter(herald);
            var run = await publisher.RunClosedLoopAsync(apps, s.Clients, null, s.BacklogCount, ct);
            var queueCpuUse = queueCpu.Stop();
            context.Log($"backlog: {run.Accepted:N0} accepted in {run.Seconds:0.0} s ({run.AcceptedPerSecond:N0}/s); receiver comes back");

            var diskAfterQueue = herald.ReadDisk();
            sampler.Phase = "drain";
            var rssAtDrain = sampler.Samples[^1].RssMiB;
            var drainCpu = new CpuMeter(herald);
            var drainStartedAt = BenchClock.Now;
            receiver = await WebhookReceiver.StartAsync(context.Secret, port);
            var log = receiver.Log;
            var drainTimeout = s.DrainTimeout + TimeSpan.FromSeconds(run.Accepted / 500.0);
            if (!await log.WaitForAsync(run.Accepted, drainTimeout, ct))
            {
                problems.Add($"backlog: only {log.Unique:N0} of {run.Accepted:N0} queued messages arrived within {drainTimeout.TotalSeconds:0} s of the receiver's return.");
            }

            var drainCpuUse = drainCpu.Stop();
            var drainSeconds = BenchClock.Seconds(drainStartedAt, log.LastArrival);
            sampler.Phase = "after drain";
            var stats = await HeraldSetup.WaitForRecordedAsync(herald.Admin, targets, run.Accepted, TimeSpan.FromSeconds(60), ct);
            var sampleAttempts = await HeraldSetup.CountAttemptsAsync(herald.Admin, targets[0], ct);
            var sampleStats = await herald.Admin.Endpoints.GetStatsAsync(targets[0].App, targets[0].Endpoint, cancellationToken: ct);
            var diskAfterDrain = herald.ReadDisk();
            await sampler.StopAsync();
            var samples = sampler.Samples;
            BacklogDisk? disk = null;
            if (diskBefore is not null && diskAfterQueue is not null && diskAfterDrain is not null && run.Accepted > 0)
            {
                // Messages go round-robin over the apps, so endpoint 0's failed attempts stand for every endpoint's.
                var failed = Math.Max(0, sampleAttempts - sampleStats.Success) * s.Apps;
                var perAttempt = (double)(diskAfterDrain.DatabaseBytes - diskAfterQueue.DatabaseBytes) / Math.Max(1, stats.Success);
                var queueGrowth = (double)(diskAfterQueue.DatabaseBytes - diskBefore.DatabaseBytes);
                disk = new BacklogDisk(
                    diskBefore, diskAfterQueue, diskAfterDrain, failed, Math.Round(perAttempt), Math.Round((queueGrowth - (failed * perAttempt)) / run.Accepted),
                    Math.Round(queueGrowth / run.Accepted));
            }

            var drain = samples.Where(m => m.Phase == "drain").ToList();
            if (stats.Success != run.Accepted || stats.Fail > 0)
            {
                problems.Add($"backlog: Herald's stats show {stats.Success:N0} successful, {stats.Pending + stats.Sending:N0} pending, {stats.Fail:N0} failed deliveries; expected {run.Accepted:N0} successful.");
            }

            if (run.Failed > 0 || log.Invalid > 0)
            {
                problems.Add($"backlog: {run.Failed} publish requests failed (first: {run.FirstError}); {log.Invalid} webhooks failed verification.");
            }

            var result = new BacklogResult(
                s.Apps, run.Accepted, Math.Round(run.Seconds, 2), Math.Round(run.AcceptedPerSecond), Math.Round(drainSeconds, 2),
                Math.Round(log.Unique / drainSeconds), log.Unique, log.Duplicates, sampleAttempts, sampleStats.Success + sampleStats.Fail + sampleStats.Pending,
                rssBefore, rssAtDrain, drain.Select(m => m.RssMiB).DefaultIfEmpty(rssAtDrain).Max(), samples[^1].RssMiB, samples.Max(m => m.PeakRssMiB),
                stats.Success, stats.Pending + stats.Sending, stats.Fail, context.Throughput?.DeliveriesPerSecond, queueCpuUse, drainCpuUse, samples, disk);
            context.Log($"backlog: drained {log.Unique:N0} in {drainSeconds:0.0} s ({result.DrainPerSecond:N0}/s); RSS {rssAtDrain} → max {result.MaxRssDuringDrainMiB} MiB");
            if (disk is not null)
            {
                context.Log($"backlog: {disk.BytesPerMessage:N0} bytes per message, {disk.BytesPerAttempt:N0} per attempt ({disk.BytesPerMessageAllIn:N0} per message all in)");
            }

            return result;
        }
        finally
        {
            if (receiver is not null)
            {
                await receiver.DisposeAsync();
            }
        }
    }

    /// <summary>At most <paramref name="count"/> samples, evenly spread, always keeping the first and last of each phase.</summary>
    private static IEnumerable<MemorySample> Thin(IReadOnlyList<MemorySample> samples, int count)
    {
        var step = Math.Max(1, samples.Count / count);
        return samples.Where((m, i) => i % step == 0 || i == samples.Count - 1 || samples[Math.Max(0, i - 1)].Phase != m.Phase || samples[Math.Min(samples.Count - 1, i + 1)].Phase != m.Phase);
    }
}
