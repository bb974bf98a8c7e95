using System.Globalization;
using Herald.Bench.Harness;
using Herald.Bench.Reporting;
using Herald.Client;

namespace Herald.Bench.Scenarios;

internal sealed record SseConsumersRun(
    int Consumers, double ConnectSeconds, int Rate, long Published, bool Overloaded, long ExpectedEvents, long ReceivedEvents, long Duplicates,
    long Requests, LatencySummary PublishToReceiveMs, CpuUse Cpu, double RssBeforeMiB, double RssConnectedMiB, double RssAfterMiB);

/// <summary>
/// <c>sse-consumers</c>: one application with one polling endpoint, read by N concurrent Server-Sent-Events streams
/// (<c>GET …/poller/{sink}/stream</c>, 1, 10, 100 and 1,000 by default: <c>--sse-consumers</c>) while messages are
/// published at <c>--sse-rate</c> (open loop) for <c>--scale-duration</c>. Every stream receives every message, so
/// the events Herald writes are N × rate per second. One Herald process for every step, a new application per step.
/// </summary>
internal sealed class SseConsumersScenario : IScenario
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(60);

    public string Name => "sse-consumers";

    public async Task<ScenarioReport> RunAsync(BenchContext context)
    {
        var s = context.Settings;
        var report = new ScenarioReport(Name)
        {
            Settings = new { s.SseConsumers, s.SseRate, DurationSeconds = s.ScaleDuration.TotalSeconds, s.Storage, s.Nodes },
        };
        var runs = new List<SseConsumersRun>();
        await using (var herald = await context.StartHeraldAsync())
        {
            foreach (var consumers in s.SseConsumers)
            {
                runs.Add(await MeasureAsync(context, herald, consumers, report.Problems));
            }
        }

        report.Results = runs;
        report.Tables.Add(new ReportTable(
            $"sse-consumers: N SSE streams on one polling endpoint, {s.SseRate} msg/s published for {s.ScaleDuration.TotalSeconds:0} s",
            ["streams", "all connected in s", "published", "kept up", "events expected", "received", "events/s", "p50 ms", "p99 ms", "max ms", "HTTP requests", "CPU cores Herald / bench", "RSS MiB before / connected / after"],
            [.. runs.Select(r => (IReadOnlyList<string>)[
                Cells.Number(r.Consumers), Cells.Number(r.ConnectSeconds), Cells.Number(r.Published), r.Overloaded ? "no (abandoned)" : "yes",
                Cells.Number(r.ExpectedEvents), Cells.Number(r.ReceivedEvents), Cells.Number(r.ReceivedEvents / Math.Max(0.001, s.ScaleDuration.TotalSeconds)),
                Cells.Number(r.PublishToReceiveMs.P50), Cells.Number(r.PublishToReceiveMs.P99), Cells.Number(r.PublishToReceiveMs.Max), Cells.Number(r.Requests),
                $"{Cells.Number(r.Cpu.HeraldCores)} / {Cells.Number(r.Cpu.BenchCores)}",
                $"{Cells.Number(r.RssBeforeMiB)} / {Cells.Number(r.RssConnectedMiB)} / {Cells.Number(r.RssAfterMiB)}",
            ])]));
        report.Charts["sse-consumers.svg"] = SvgBarChart.Render(
            "Concurrent SSE consumers: publish→receive latency",
            $"N streams on one polling endpoint, {s.SseRate} msg/s, every stream gets every message; log scale",
            "milliseconds",
            [.. runs.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Consumers:N0} streams"))],
            [new ChartSeries("p50", [.. runs.Select(r => r.PublishToReceiveMs.P50)]), new ChartSeries("p99", [.. runs.Select(r => r.PublishToReceiveMs.P99)])],
            logarithmic: true);
        return report;
    }

    private static async Task<SseConsumersRun> MeasureAsync(BenchContext context, HeraldCluster herald, int consumers, List<string> problems)
    {
        var s = context.Settings;
        var ct = context.CancellationToken;
        var app = (await HeraldSetup.CreateAppsAsync(herald.Admin, context.Prefix($"sse{consumers}"), 1, null, context.Secret, ct))[0].App;
        await herald.Admin.PollingEndpoints.CreateAsync(app, new PollingEndpointIn { Uid = "pull" }, cancellationToken: ct);
        var rssBefore = herald.ReadMemory().Sum(m => m?.RssMiB ?? 0);

        // One handler for every stream (a connection each: HTTP/1.1), counting requests and the answers that started.
        var counter = new StartedCounter(new SocketsHttpHandler { UseCookies = false, UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) });
        using var http = new HttpClient(counter) { Timeout = Timeout.InfiniteTimeSpan };
        var nodes = herald.NodeUrls;
        var clients = nodes.Select(n => new HeraldClient(http, new HeraldClientOptions { ServerUrl = n, Token = herald.AdminToken })).ToList();
        var latencies = new List<double>();
        var received = new long[consumers];
        var duplicates = 0L;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        async Task ConsumeAsync(int i)
        {
            var seen = new HashSet<long>();
            try
            {
                await foreach (var message in clients[i % clients.Count].Poller.StreamAsync(app, "pull", cancellationToken: stop.Token))
                {
                    var at = BenchClock.Now;
                    if (BenchPayload.TryRead(message.Payload, out var publishedAt, out var seq))
                    {
                        if (seen.Add(seq))
                        {
                            Interlocked.Increment(ref received[i]);
                            lock (latencies)
                            {
                                latencies.Add(BenchClock.Milliseconds(publishedAt, at));
                            }
                        }
                        else
                        {
                            Interlocked.Increment(ref duplicates);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Done.
            }
        }

        try
        {
            var connectStartedAt = BenchClock.Now;
            var running = Enumerable.Range(0, consumers).Select(i => Task.Run(() => ConsumeAsync(i), ct)).ToList();
            var connectDeadline = BenchClock.After(connectStartedAt, ConnectTimeout);
            while (counter.Started < consumers && BenchClock.Now < connectDeadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
            }

            var connectSeconds = BenchClock.Seconds(connectStartedAt, BenchClock.Now);
            if (counter.Started < consumers)
            {
                problems.Add($"sse-consumers {consumers}: only {counter.Started} of {consumers} streams connected within {ConnectTimeout.TotalSeconds:0} s.");
            }

            var rssConnected = herald.ReadMemory().Sum(m => m?.RssMiB ?? 0);
            context.Log($"sse-consumers: {consumers:N0} streams connected in {connectSeconds:0.00} s; publishing {s.SseRate} msg/s for {s.ScaleDuration.TotalSeconds:0} s");
            using var publisher = context.NewOpenLoopPublisher(herald);
            var cpu = new CpuMeter(herald);
            var run = await publisher.RunAtRateAsync([app], s.SseRate, s.ScaleDuration, ct);
            var deadline = BenchClock.After(BenchClock.Now, CatchUpTimeout);
            while (Enumerable.Range(0, consumers).Any(i => Volatile.Read(ref received[i]) < run.Accepted) && BenchClock.Now < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
            }

            var cpuUse = cpu.Stop();
            var rssAfter = herald.ReadMemory().Sum(m => m?.RssMiB ?? 0);
            await stop.CancelAsync();
            await Task.WhenAll(running);
            var total = received.Sum();
            var expected = run.Accepted * consumers;
            if (total < expected)
            {
                problems.Add($"sse-consumers {consumers}: {total:N0} of {expected:N0} events arrived within {CatchUpTimeout.TotalSeconds:0} s of the end.");
            }

            if (run.Failed > 0)
            {
                problems.Add($"sse-consumers {consumers}: {run.Failed} publish requests failed (first: {run.FirstError}).");
            }

            LatencySummary latency;
            lock (latencies)
            {
                latency = LatencySummary.From(latencies);
            }

            var result = new SseConsumersRun(
                consumers, Math.Round(connectSeconds, 2), s.SseRate, run.Accepted, run.Overloaded, expected, total, Interlocked.Read(ref duplicates), counter.Count,
                latency, cpuUse, Math.Round(rssBefore), Math.Round(rssConnected), Math.Round(rssAfter));
            context.Log($"sse-consumers: {consumers:N0} streams → {total:N0}/{expected:N0} events, p50 {latency.P50} ms, p99 {latency.P99} ms");
            return result;
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Counts requests, and those whose response headers arrived (for a stream: connected).</summary>
    private sealed class StartedCounter(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private long _count;
        private long _started;

        public long Count => Interlocked.Read(ref _count);

        public long Started => Interlocked.Read(ref _started);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            var response = await base.SendAsync(request, cancellationToken);
            Interlocked.Increment(ref _started);
            return response;
        }
    }
}
