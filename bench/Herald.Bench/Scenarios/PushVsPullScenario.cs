using Herald.Bench.Harness;
using Herald.Bench.Harness.Pull;
using Herald.Bench.Reporting;
using Herald.Client;

namespace Herald.Bench.Scenarios;

internal sealed record ConsumptionMode(string Mode, long Received, long Requests, double RequestsPerEvent, LatencySummary LatencyMs);

internal sealed record PushVsPullResult(int Rate, double Seconds, long Published, bool Overloaded, IReadOnlyList<ConsumptionMode> Modes);

/// <summary>
/// <c>push-vs-pull</c>: one application publishes at a fixed rate (open loop); the same stream is consumed at the same
/// time as webhooks (an endpoint on the receiver) and through a polling endpoint by an SSE stream, a long-poller, and
/// plain pollers every 1 s and every 5 s. Latency from the payload's publish timestamp, and HTTP requests per event.
/// </summary>
internal sealed class PushVsPullScenario : IScenario
{
    private static readonly TimeSpan ConnectTime = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(30);

    public string Name => "push-vs-pull";

    public async Task<ScenarioReport> RunAsync(BenchContext context)
    {
        var s = context.Settings;
        var report = new ScenarioReport(Name) { Settings = new { Rate = s.PullRate, DurationSeconds = s.PullDuration.TotalSeconds, s.Storage, s.Nodes } };
        var result = await MeasureAsync(context, s.PullRate, s.PullDuration, report.Problems);
        report.Results = result;
        report.Tables.Add(Table(result));
        var webhook = result.Modes[0].LatencyMs;
        var sse = result.Modes[1].LatencyMs;
        var longPoll = result.Modes[2].LatencyMs;
        report.Targets.Add(new TargetCheck(
            $"push-vs-pull: webhook and SSE p99 ≤ 10 ms at {result.Rate} msg/s",
            $"webhook p99 {Cells.Number(webhook.P99)} ms, SSE p99 {Cells.Number(sse.P99)} ms",
            !result.Overloaded && webhook.P99 <= 10 && sse.P99 <= 10));
        report.Targets.Add(new TargetCheck(
            "push-vs-pull: long-polling p99 within 2× of that (≤ 20 ms)",
            $"long-poll p99 {Cells.Number(longPoll.P99)} ms ({Cells.Number(longPoll.P99 / Math.Max(webhook.P99, 0.001))}× the webhook p99)",
            !result.Overloaded && longPoll.P99 <= 20));
        report.Targets.Add(new TargetCheck(
            "push-vs-pull: requests per delivered event reported for every mode",
            string.Join(", ", result.Modes.Select(m => $"{m.Mode} {Cells.Ratio(m.RequestsPerEvent)}")),
            result.Modes.All(m => m.Received > 0)));
        string[] modes = [.. result.Modes.Select(m => m.Mode)];
        report.Charts["push-vs-pull-latency.svg"] = SvgBarChart.Render(
            "Push vs pull: publish→receive latency",
            $"the same stream at {result.Rate} msg/s consumed five ways at once; log scale",
            "milliseconds",
            modes,
            [new ChartSeries("p50", [.. result.Modes.Select(m => m.LatencyMs.P50)]), new ChartSeries("p99", [.. result.Modes.Select(m => m.LatencyMs.P99)])],
            logarithmic: true,
            [new ChartLine(10, "target p99, webhook and SSE: 10 ms"), new ChartLine(20, "long-poll: 20 ms")]);
        report.Charts["push-vs-pull-requests.svg"] = SvgBarChart.Render(
            "Push vs pull: HTTP requests per delivered event",
            $"the same stream at {result.Rate} msg/s; log scale",
            "requests per event",
            modes,
            [new ChartSeries("requests per event", [.. result.Modes.Select(m => m.RequestsPerEvent)])],
            logarithmic: true);
        return report;
    }

    private static async Task<PushVsPullResult> MeasureAsync(BenchContext context, int rate, TimeSpan duration, List<string> problems)
    {
        var ct = context.CancellationToken;
        await using var receiver = await WebhookReceiver.StartAsync(context.Secret);
        await using var herald = await context.StartHeraldAsync();
        using var publisher = context.NewOpenLoopPublisher(herald);

        // Warm-up on an application of its own, so its messages are not in the measured stream.
        var warmApp = await HeraldSetup.CreateAppsAsync(herald.Admin, context.Prefix("pvpwarm"), 1, _ => receiver.Url("/pvp-warm"), context.Secret, ct);
        var warmUp = receiver.StartRecording();
        using (var closedLoop = context.NewPublisher(herald, 8))
        {
            var loaded = await context.WarmUpAsync(closedLoop, herald.Nodes, [warmApp[0].App], 8, "push-vs-pull");
            await warmUp.WaitForAsync(loaded.Accepted, context.Settings.DrainTimeout, ct);
        }

        warmUp = receiver.StartRecording();
        var warm = await publisher.RunAtRateAsync([warmApp[0].App], 200, TimeSpan.FromSeconds(1), ct);
        await warmUp.WaitForAsync(warm.Accepted, TimeSpan.FromSeconds(30), ct);

        var target = (await HeraldSetup.CreateAppsAsync(herald.Admin, context.Prefix("pvp"), 1, _ => receiver.Url("/pvp"), context.Secret, ct))[0];
        await herald.Admin.PollingEndpoints.CreateAsync(target.App, new PollingEndpointIn { Uid = "pull" }, cancellationToken: ct);
        var nodes = herald.NodeUrls;
        var token = herald.AdminToken;
        List<PullConsumer> consumers =
        [
            new StreamConsumer(nodes[0], token, target.App, "pull"),
            new LongPollConsumer(nodes[1 % nodes.Count], token, target.App, "pull"),
            new IntervalPollConsumer(nodes[2 % nodes.Count], token, target.App, "pull", TimeSpan.FromSeconds(1)),
            new IntervalPollConsumer(nodes[3 % nodes.Count], token, target.App, "pull", TimeSpan.FromSeconds(5)),
        ];
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var log = receiver.StartRecording();
            var running = consumers.Select(c => Task.Run(() => c.RunAsync(stop.Token), ct)).ToList();
            await Task.Delay(ConnectTime, ct);

            context.Log($"push-vs-pull: {rate} msg/s for {duration.TotalSeconds:0} s, consumed as webhooks, SSE, long-poll, polls every 1 s and 5 s");
            var run = await publisher.RunAtRateAsync([target.App], rate, duration, ct);
            var deadline = BenchClock.After(BenchClock.Now, CatchUpTimeout);
            while ((log.Unique < run.Accepted || consumers.Any(c => c.Received < run.Accepted)) && BenchClock.Now < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
            }

            var modes = new List<ConsumptionMode> { Mode("webhook", log.Unique, log.Requests, log.Latency()) };
            modes.AddRange(consumers.Select(c => Mode(c.Mode, c.Received, c.Requests, c.Latency())));
            await stop.CancelAsync();
            await Task.WhenAll(running);

            foreach (var mode in modes.Where(m => m.Received < run.Accepted))
            {
                problems.Add($"push-vs-pull: {mode.Mode} received {mode.Received:N0} of {run.Accepted:N0} events within {CatchUpTimeout.TotalSeconds:0} s of the end.");
            }

            if (run.Failed > 0 || log.Invalid > 0)
            {
                problems.Add($"push-vs-pull: {run.Failed} publish requests failed (first: {run.FirstError}); {log.Invalid} webhooks failed verification.");
            }

            foreach (var mode in modes)
            {
                context.Log($"push-vs-pull: {mode.Mode}: p50 {mode.LatencyMs.P50} ms, p99 {mode.LatencyMs.P99} ms, {Cells.Ratio(mode.RequestsPerEvent)} requests/event");
            }

            if (run.Overloaded)
            {
                context.Log($"push-vs-pull: Herald could not keep up with {rate} msg/s; the schedule was abandoned after {run.Accepted:N0} messages");
            }

            return new PushVsPullResult(rate, Math.Round(run.Seconds, 2), run.Accepted, run.Overloaded, modes);
        }
        finally
        {
            consumers.ForEach(c => c.Dispose());
        }
    }

    private static ConsumptionMode Mode(string mode, long received, long requests, LatencySummary latency) =>
        new(mode, received, requests, received > 0 ? Math.Round((double)requests / received, 5) : 0, latency);

    private static ReportTable Table(PushVsPullResult r) => new(
        $"push vs pull: the same stream at {r.Rate} msg/s for {Cells.Number(r.Seconds)} s ({Cells.Number(r.Published)} events{(r.Overloaded ? "; Herald could not keep up, schedule abandoned" : "")})",
        ["mode", "received", "p50 ms", "p90 ms", "p99 ms", "max ms", "HTTP requests", "requests/event"],
        [.. r.Modes.Select(m => (IReadOnlyList<string>)[
            m.Mode, Cells.Number(m.Received), Cells.Number(m.LatencyMs.P50), Cells.Number(m.LatencyMs.P90), Cells.Number(m.LatencyMs.P99),
            Cells.Number(m.LatencyMs.Max), Cells.Number(m.Requests), Cells.Ratio(m.RequestsPerEvent),
        ])]);
}
