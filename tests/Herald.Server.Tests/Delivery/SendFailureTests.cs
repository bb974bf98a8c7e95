using System.Net.Sockets;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// A try that reaches the network and fails in any way — refused, reset before or after the status line, cut off by the
/// timeout mid-body, a failed TLS handshake, an unknown host — is one failed attempt with its error, and counts toward
/// the retry schedule, exhaustion, the operator's webhooks and auto-disable like a 500 does.
/// </summary>
public sealed class SendFailureTests : IAsyncLifetime
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);
    private WebhookReceiver _operator = null!;

    public async Task InitializeAsync() => _operator = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _operator.DisposeAsync();

    [Fact]
    public async Task ConnectionRefused_IsOneFailedAttemptPerTry_UntilExhausted()
    {
        var port = ClosedPort();
        using var herald = DeliveryTestKit.FakeTimeHerald(Retry, Retry);

        var attempts = await EveryTryIsOneFailedAttemptAsync(herald, $"http://127.0.0.1:{port}/webhook", () => herald.Time!.Advance(Retry), requests: null);

        Assert.All(attempts, a => Assert.Equal($"Could not connect to 127.0.0.1:{port}: connection refused.", (string?)a!["error"]));
        Assert.All(attempts, a => Assert.Equal(0, (int)a!["responseStatusCode"]!));
    }

    [Fact]
    public async Task ResetBeforeHeaders_IsOneFailedAttemptPerTry_UntilExhausted()
    {
        await using var receiver = FaultyReceiver.ResetBeforeHeaders();
        using var herald = DeliveryTestKit.FakeTimeHerald(Retry, Retry);

        var attempts = await EveryTryIsOneFailedAttemptAsync(herald, receiver.Url, () => herald.Time!.Advance(Retry), () => receiver.Requests);

        Assert.All(attempts, a => Assert.Equal(
            $"The connection to 127.0.0.1:{receiver.Port} was reset before response headers arrived.", (string?)a!["error"]));
        Assert.All(attempts, a => Assert.Equal(0, (int)a!["responseStatusCode"]!));
    }

    [Fact]
    public async Task ResetMidBodyAfter200_IsOneFailedAttemptPerTry_KeepingTheStatusAndWhatArrived()
    {
        await using var receiver = FaultyReceiver.ResetMidBody();
        using var herald = DeliveryTestKit.FakeTimeHerald(Retry, Retry);

        var attempts = await EveryTryIsOneFailedAttemptAsync(herald, receiver.Url, () => herald.Time!.Advance(Retry), () => receiver.Requests);

        Assert.All(attempts, a => Assert.Equal(
            "The connection was reset after status 200, while reading the response body; counted as a failed try.", (string?)a!["error"]));
        Assert.All(attempts, a => Assert.Equal(200, (int)a!["responseStatusCode"]!));
        Assert.All(attempts, a => Assert.Equal(new string('a', FaultyReceiver.BodyBytesWritten), (string?)a!["response"]));
    }

    [Fact]
    public async Task TimeoutMidBody_IsOneFailedAttemptPerTry_UntilExhausted()
    {
        await using var receiver = FaultyReceiver.HangMidBody();
        // The real clock, unlike the other tests: on a fake one the test could not know when to let the timeout fire,
        // since nothing it can observe says that Herald has read the status line. Nothing here asserts on timings.
        using var herald = DeliveryTestKit.LoopbackHerald()
            .With("Herald:Delivery:Jitter", "0")
            .With("Herald:Delivery:ScanInterval", "00:00:00.200")
            .With("Herald:Delivery:RetrySchedule:0", "00:00:00.200")
            .With("Herald:Delivery:RetrySchedule:1", "00:00:00.200");

        var attempts = await EveryTryIsOneFailedAttemptAsync(herald, receiver.Url, nextTry: null, () => receiver.Requests, new JsonObject { ["timeoutSeconds"] = 1 });

        Assert.All(attempts, a => Assert.Equal(
            "No complete response within 1 s: status 200 arrived, the body did not; counted as a failed try.", (string?)a!["error"]));
        Assert.All(attempts, a => Assert.Equal(200, (int)a!["responseStatusCode"]!));
    }

    [Fact]
    public async Task UntrustedCertificate_IsOneFailedAttemptPerTry_UntilExhausted()
    {
        await using var receiver = FaultyReceiver.UntrustedTls();
        using var herald = DeliveryTestKit.FakeTimeHerald(Retry, Retry);

        var attempts = await EveryTryIsOneFailedAttemptAsync(herald, receiver.Url, () => herald.Time!.Advance(Retry), () => receiver.Requests);

        Assert.All(attempts, a => Assert.StartsWith(
            $"TLS handshake with 127.0.0.1:{receiver.Port} failed: The remote certificate is invalid", (string?)a!["error"]));
        Assert.All(attempts, a => Assert.Equal(0, (int)a!["responseStatusCode"]!));
    }

    [Fact]
    public async Task UnknownHost_IsOneFailedAttemptPerTry_UntilExhausted()
    {
        using var herald = DeliveryTestKit.FakeTimeHerald(Retry, Retry);

        // .invalid never resolves (RFC 6761).
        var attempts = await EveryTryIsOneFailedAttemptAsync(herald, "http://herald-test.invalid/webhook", () => herald.Time!.Advance(Retry), requests: null);

        // "no such host" where a resolver answers; a machine without one fails the lookup itself, also under "DNS".
        Assert.All(attempts, a => Assert.StartsWith("DNS", (string?)a!["error"]));
        Assert.All(attempts, a => Assert.Contains("herald-test.invalid:80", (string?)a!["error"]));
        Assert.All(attempts, a => Assert.Equal(0, (int)a!["responseStatusCode"]!));
    }

    [Fact]
    public async Task EndpointThatAlwaysResetsMidBody_IsToldFailing_ThenDisabled()
    {
        await using var receiver = FaultyReceiver.ResetMidBody();
        var every30Seconds = Enumerable.Repeat(TimeSpan.FromSeconds(30), 6).ToArray();
        using var herald = DeliveryTestKit.FakeTimeHerald(every30Seconds)
            .With("Herald:Delivery:DisableEndpointAfter", "00:01:00")
            .With("Herald:Delivery:FailingNotificationAfter", "2");
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        await client.CreateOperatorEndpointAsync(_operator.Url("/ops"), "message.attempt.failing", "endpoint.disabled");
        var endpointId = (string)(await client.CreateEndpointAsync("acme", receiver.Url))["id"]!;
        var start = herald.Time!.GetUtcNow();
        var messageId = (string)(await client.PublishAsync("acme"))["id"]!;

        await client.WaitForAttemptsAsync("acme", messageId, 1);
        herald.Time.Advance(TimeSpan.FromSeconds(30));
        await client.WaitForAttemptsAsync("acme", messageId, 2);
        var failing = (await _operator.WaitForAsync(1, r => r.IsOperational("message.attempt.failing"))).Single();
        Assert.Equal(messageId, (string?)JsonNode.Parse(failing.Body)!["data"]!["msgId"]);
        Assert.Equal(200, (int)JsonNode.Parse(failing.Body)!["data"]!["lastAttempt"]!["responseStatusCode"]!);
        Assert.False((bool)(await client.GetEndpointAsync("acme", endpointId))["disabled"]!);

        herald.Time.Advance(TimeSpan.FromSeconds(30));
        await client.WaitForAttemptsAsync("acme", messageId, 3);

        var disabled = (await _operator.WaitForAsync(1, r => r.IsOperational("endpoint.disabled"))).Single();
        Assert.Equal(endpointId, (string?)JsonNode.Parse(disabled.Body)!["data"]!["endpointId"]);
        Assert.Equal(start, JsonNode.Parse(disabled.Body)!["data"]!["failSince"].AsTime());
        Assert.True((bool)(await client.GetEndpointAsync("acme", endpointId))["disabled"]!);
        Assert.Equal(3, receiver.Requests);
    }

    /// <summary>
    /// Publishes one message to <paramref name="url"/> with a three-try schedule and checks each try as it is made:
    /// one more failed attempt row, one more request at the receiver (when <paramref name="requests"/> counts them),
    /// then <c>message.attempt.exhausted</c> and the delivery failed for good. Returns the attempts, newest first.
    /// A null <paramref name="nextTry"/> means the real clock lets each retry come by itself: the next try may then
    /// already be at the receiver when a try's attempt row is read (CI saw 2 requests beside 1 row on a loaded
    /// machine), so each try is checked as "this one and at most the next", and the total exactly at the end.
    /// </summary>
    private async Task<JsonArray> EveryTryIsOneFailedAttemptAsync(
        HeraldApplication herald, string url, Action? nextTry, Func<int>? requests, JsonObject? endpoint = null)
    {
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        await client.CreateOperatorEndpointAsync(_operator.Url("/ops"), "message.attempt.exhausted");
        var endpointId = (string)(await client.CreateEndpointAsync("acme", url, endpoint))["id"]!;
        var messageId = (string)(await client.PublishAsync("acme"))["id"]!;

        JsonArray attempts = [];
        for (var tries = 1; tries <= 3; tries++)
        {
            if (tries > 1)
            {
                nextTry?.Invoke();
            }

            attempts = await client.WaitForAttemptsAsync("acme", messageId, tries, endpointId);
            Assert.Equal(tries, attempts.Count);
            Assert.Equal(2, (int)attempts[0]!["status"]!);
            if (requests is not null)
            {
                Assert.InRange(requests(), tries, nextTry is null ? Math.Min(tries + 1, 3) : tries);
            }
        }

        var exhausted = (await _operator.WaitForAsync(1, r => r.IsOperational("message.attempt.exhausted"))).Single();
        var data = JsonNode.Parse(exhausted.Body)!["data"]!;
        Assert.Equal(messageId, (string?)data["msgId"]);
        Assert.Equal((string?)attempts[0]!["id"], (string?)data["lastAttempt"]!["id"]);
        var destination = await client.DestinationAsync("acme", messageId, endpointId);
        Assert.Equal(2, (int)destination["status"]!);
        Assert.Null(destination["nextAttempt"]);
        Assert.Equal(3, (await client.GetDataAsync($"/api/v1/app/acme/attempt/msg/{messageId}")).Count);
        if (requests is not null)
        {
            Assert.Equal(3, requests());
        }

        return attempts;
    }

    /// <summary>A loopback port nothing listens on: taken from the OS, then given back.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
