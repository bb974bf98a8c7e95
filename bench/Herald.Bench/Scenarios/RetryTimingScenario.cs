using System.Collections.Concurrent;
using System.Net;
using Herald.Bench.Harness;
using Herald.Bench.Reporting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Herald.Bench.Scenarios;

internal sealed record RetryTimingResult(int Rate, double Seconds, long Published, long Retried, LatencySummary LatenessMs);

/// <summary>
/// <c>retry-timing</c>: how late a retry comes. The receiver fails the first try of every message (500) and accepts the
/// second; Herald retries after exactly 1 s (one-step schedule, no jitter). Lateness is the second try's arrival minus
/// (the first try's answer + 1 s), measured in this process: it overstates the true lateness by the time between the
/// receiver's answer and Herald noting the failure (under a millisecond on loopback).
/// </summary>
internal sealed class RetryTimingScenario : IScenario
{
    private const int Rate = 50;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryStep = TimeSpan.FromSeconds(1);

    public string Name => "retry-timing";

    public async Task<ScenarioReport> RunAsync(BenchContext context)
    {
        var s = context.Settings;
        var report = new ScenarioReport(Name) { Settings = new { Rate, DurationSeconds = Duration.TotalSeconds, RetryStep = "1 s, no jitter", s.Storage, s.Nodes } };
        var ct = context.CancellationToken;
        await using var receiver = await FailFirstReceiver.StartAsync();
        await using var herald = await context.StartHeraldAsync(new Dictionary<string, string>
        {
            ["Herald__Delivery__RetrySchedule__0"] = RetryStep.ToString("c"),
            ["Herald__Delivery__Jitter"] = "0",
        });
        var targets = await HeraldSetup.CreateAppsAsync(herald.Admin, context.Prefix("retry"), 1, _ => receiver.Url("/retry"), context.Secret, ct);
        using var publisher = context.NewOpenLoopPublisher(herald);
        context.Log($"retry-timing: {Rate} msg/s for {Duration.TotalSeconds:0} s; every first try fails, retried after {RetryStep.TotalSeconds:0} s");
        var run = await publisher.RunAtRateAsync([targets[0].App], Rate, Duration, ct);
        var deadline = BenchClock.After(BenchClock.Now, s.DrainTimeout);
        while (receiver.Retried < run.Accepted && BenchClock.Now < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }

        if (receiver.Retried < run.Accepted || run.Failed > 0)
        {
            report.Problems.Add($"retry-timing: {receiver.Retried:N0} of {run.Accepted:N0} accepted messages were retried; {run.Failed} publish requests failed (first: {run.FirstError}).");
        }

        var lateness = LatencySummary.From(receiver.LatenessMs(RetryStep));
        var result = new RetryTimingResult(Rate, Math.Round(run.Seconds, 2), run.Accepted, receiver.Retried, lateness);
        report.Results = result;
        report.Tables.Add(new ReportTable(
            "retry-timing: second try vs its due time (first try answered 500, retry step 1 s)",
            ["rate msg/s", "published", "retried", "lateness p50 ms", "p90 ms", "p99 ms", "max ms"],
            [[
                Cells.Number(Rate), Cells.Number(run.Accepted), Cells.Number(receiver.Retried), Cells.Number(lateness.P50), Cells.Number(lateness.P90),
                Cells.Number(lateness.P99), Cells.Number(lateness.Max),
            ]]));
        report.Targets.Add(new TargetCheck(
            "retry-timing: a retry is attempted within 100 ms of its due time",
            $"p99 {Cells.Number(lateness.P99)} ms, max {Cells.Number(lateness.Max)} ms late",
            lateness.Count > 0 && lateness.Max <= 100));
        context.Log($"retry-timing: lateness p50 {lateness.P50} ms, p99 {lateness.P99} ms, max {lateness.Max} ms");
        return report;
    }

    /// <summary>A receiver that answers the first try of each message 500 and later ones 204, noting when.</summary>
    private sealed class FailFirstReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, long> _failedAt = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, long> _retriedAt = new(StringComparer.Ordinal);

        private FailFirstReceiver(WebApplication app) => _app = app;

        public Uri BaseUrl { get; private set; } = null!;

        public long Retried => _retriedAt.Count;

        public string Url(string path) => new Uri(BaseUrl, path).AbsoluteUri;

        public static async Task<FailFirstReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var receiver = new FailFirstReceiver(app);
            app.MapPost("/{**path}", receiver.HandleAsync);
            await app.StartAsync();
            receiver.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            return receiver;
        }

        public IReadOnlyList<double> LatenessMs(TimeSpan step) =>
            [.. _retriedAt.Select(r => BenchClock.Milliseconds(_failedAt[r.Key], r.Value) - step.TotalMilliseconds)];

        private async Task HandleAsync(HttpContext context)
        {
            var now = BenchClock.Now;
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            var id = context.Request.Headers["webhook-id"].ToString();
            if (_failedAt.TryAdd(id, now))
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await context.Response.CompleteAsync();
                _failedAt[id] = BenchClock.Now; // The answer is out: Herald's retry clock starts about now.
                return;
            }

            _retriedAt.TryAdd(id, now);
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
