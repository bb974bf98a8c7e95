using System.Net;
using System.Net.Http.Headers;
using Herald.Bench.Harness;
using Herald.Bench.Reporting;
using Herald.Receiver;

namespace Herald.Bench.Scenarios;

internal sealed record CeilingResult(int Clients, double Seconds, long Sent, long Failed, long Delivered, double DeliveriesPerSecond, LatencySummary LatencyMs);

/// <summary>
/// <c>ceiling</c>: the load generator signs Standard Webhooks POSTs itself and sends them straight to the receiver, no
/// Herald in between: the most deliveries per second this machine can push through the same receiver.
/// </summary>
internal sealed class CeilingScenario : IScenario
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(500);

    public string Name => "ceiling";

    public async Task<ScenarioReport> RunAsync(BenchContext context)
    {
        var settings = context.Settings;
        var report = new ScenarioReport(Name) { Settings = new { settings.CeilingClients, DurationSeconds = settings.CeilingDuration.TotalSeconds } };
        var result = await MeasureAsync(context, settings.CeilingDuration, settings.CeilingClients);
        report.Results = result;
        report.Tables.Add(Table(result));
        if (result.Failed > 0 || result.Delivered < result.Sent)
        {
            report.Problems.Add($"ceiling: {result.Failed} of {result.Sent} requests failed, {result.Delivered} verified at the receiver.");
        }

        return report;
    }

    /// <summary>Measures the ceiling and keeps it in the context for the scenarios that compare with it.</summary>
    public static async Task<CeilingResult> MeasureAsync(BenchContext context, TimeSpan duration, int clients)
    {
        context.Log($"ceiling: {clients} clients POST signed webhooks straight to the receiver for {duration.TotalSeconds:0} s");
        await using var receiver = await WebhookReceiver.StartAsync(context.Secret);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, UseCookies = false, UseProxy = false });
        var url = new Uri(receiver.Url("/ceiling"));
        receiver.StartRecording();
        await SendAsync(http, url, context.Secret, clients, WarmUp, context.CancellationToken);
        var log = receiver.StartRecording();
        var (sent, failed, seconds) = await SendAsync(http, url, context.Secret, clients, duration, context.CancellationToken);
        var result = new CeilingResult(clients, Math.Round(seconds, 2), sent, failed, log.Unique, Math.Round(log.Unique / seconds), log.Latency());
        context.Log($"ceiling: {result.DeliveriesPerSecond:N0} deliveries/s");
        context.Ceiling = result;
        return result;
    }

    public static ReportTable Table(CeilingResult r) => new(
        "ceiling: signed POSTs straight to the receiver (no Herald)",
        ["clients", "seconds", "deliveries", "deliveries/s", "POST latency p50 ms", "p99 ms"],
        [[Cells.Number(r.Clients), Cells.Number(r.Seconds), Cells.Number(r.Delivered), Cells.Number(r.DeliveriesPerSecond), Cells.Number(r.LatencyMs.P50), Cells.Number(r.LatencyMs.P99)]]);

    private static async Task<(long Sent, long Failed, double Seconds)> SendAsync(
        HttpClient http, Uri url, string secret, int clients, TimeSpan duration, CancellationToken cancellationToken)
    {
        var startedAt = BenchClock.Now;
        var deadline = BenchClock.After(startedAt, duration);
        long sent = 0, failed = 0;
        async Task ClientAsync()
        {
            while (BenchClock.Now < deadline)
            {
                var n = Interlocked.Increment(ref sent);
                var body = BenchPayload.Payload(BenchClock.Now, n);
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                foreach (var (name, value) in WebhookScheme.StandardWebhooks.Sign(secret, $"msg_ceiling{n}", DateTimeOffset.UtcNow, body))
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                try
                {
                    using var response = await http.SendAsync(request, cancellationToken);
                    if (response.StatusCode != HttpStatusCode.NoContent)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(ClientAsync, cancellationToken)));
        return (Interlocked.Read(ref sent), Interlocked.Read(ref failed), BenchClock.Seconds(startedAt, BenchClock.Now));
    }
}
