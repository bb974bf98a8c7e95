using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;

namespace Herald.Server.Tests.Faults;

/// <summary>What a publisher can know about one publish.</summary>
public enum PublishOutcome
{
    /// <summary>202: the message must exist and be delivered.</summary>
    Accepted,

    /// <summary>An HTTP answer other than 202, or the connection was refused: the message must not exist.</summary>
    Refused,

    /// <summary>The connection broke or timed out after the request was sent: the message may or may not exist.</summary>
    Unknown,
}

/// <summary>One publish: its number, the eventId it carried, how it ended, when (since the load began) and the Retry-After of a refusal.</summary>
public sealed record Publish(int Number, string EventId, PublishOutcome Outcome, string? MessageId, int StatusCode, string? Detail, TimeSpan At, string? RetryAfter = null);

/// <summary>Every publish of a run, by outcome.</summary>
public sealed class LoadRun(IReadOnlyList<Publish> publishes)
{
    public IReadOnlyList<Publish> All { get; } = publishes;

    public IReadOnlyList<Publish> Accepted { get; } = [.. publishes.Where(p => p.Outcome == PublishOutcome.Accepted)];

    public IReadOnlyList<Publish> Refused { get; } = [.. publishes.Where(p => p.Outcome == PublishOutcome.Refused)];

    public IReadOnlyList<Publish> Unknown { get; } = [.. publishes.Where(p => p.Outcome == PublishOutcome.Unknown)];

    /// <summary>HTTP answers other than 202, by status code (0: connection refused).</summary>
    public IReadOnlyDictionary<int, int> RefusedByStatus => Refused.GroupBy(p => p.StatusCode).ToDictionary(g => g.Key, g => g.Count());

    public override string ToString() =>
        $"{All.Count} publishes: {Accepted.Count} accepted (202), {Refused.Count} refused ("
        + string.Join(", ", RefusedByStatus.OrderBy(kv => kv.Key).Select(kv => $"{(kv.Key == 0 ? "connection refused" : kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture))}: {kv.Value}"))
        + $"), {Unknown.Count} unknown (connection lost)";
}

/// <summary>
/// An open-loop publisher: message n is sent at start + n / rate whatever happened to the ones before (as independent
/// clients do), each with eventId <c>{prefix}-{n}</c> so that a publish whose answer was lost can be looked up. Every
/// answer and every failure is recorded; nothing is retried, so each outcome is the server's answer to one request.
/// </summary>
public static class LoadGenerator
{
    public static async Task<LoadRun> RunAsync(
        Func<HttpClient> client, string appId, int count, double perSecond, string eventIdPrefix,
        Func<int, JsonObject>? payload = null, CancellationToken cancellationToken = default)
    {
        var results = new ConcurrentBag<Publish>();
        var running = new List<Task>(count);
        var clock = Stopwatch.StartNew();
        for (var n = 1; n <= count; n++)
        {
            var due = TimeSpan.FromSeconds((n - 1) / perSecond);
            if (due - clock.Elapsed is { } wait && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            var number = n;
            running.Add(Task.Run(async () => results.Add(await PublishAsync(client(), appId, number, $"{eventIdPrefix}-{number}", payload, clock)), CancellationToken.None));
        }

        await Task.WhenAll(running);
        return new LoadRun([.. results.OrderBy(p => p.Number)]);
    }

    private static async Task<Publish> PublishAsync(HttpClient client, string appId, int n, string eventId, Func<int, JsonObject>? payload, Stopwatch clock)
    {
        var body = new JsonObject
        {
            ["eventType"] = "fault.tick",
            ["eventId"] = eventId,
            ["payload"] = payload?.Invoke(n) ?? new JsonObject { ["n"] = n },
        };
        try
        {
            using var response = await client.PostAsJsonAsync($"/api/v1/app/{appId}/msg", body);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                return new Publish(n, eventId, PublishOutcome.Accepted, (string)JsonNode.Parse(text)!["id"]!, 202, null, clock.Elapsed);
            }

            return new Publish(n, eventId, PublishOutcome.Refused, null, (int)response.StatusCode, text.Length > 300 ? text[..300] : text, clock.Elapsed,
                response.Headers.RetryAfter?.ToString());
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            return new Publish(n, eventId, PublishOutcome.Refused, null, 0, "connection refused", clock.Elapsed);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return new Publish(n, eventId, PublishOutcome.Unknown, null, 0, e.GetType().Name + ": " + e.Message, clock.Elapsed);
        }
    }
}
