using System.Globalization;
using System.Net.Sockets;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Herald.Server.Tests.Delivery;

/// <summary>How the answer of a receiver decides an attempt: success, failure, redirect, Gone, Retry-After, timeout, no answer.</summary>
public sealed class OutcomeRulesTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private WebhookReceiver _other = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _other = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _other.DisposeAsync();
    }

    [Theory]
    [InlineData(200)]
    [InlineData(202)]
    [InlineData(204)]
    public async Task Any2xx_IsASuccess(int status)
    {
        using var herald = DeliveryTestKit.LoopbackHerald();
        var (client, endpointId) = await SetUpAsync(herald, DeliveryTestKit.Always(status));

        var message = await client.PublishAsync("acme");

        var attempt = (await client.WaitForAttemptsAsync("acme", (string)message["id"]!, 1)).Single()!;
        Assert.Equal(status, (int)attempt["responseStatusCode"]!);
        Assert.Equal(0, (int)attempt["status"]!);
        Assert.Equal("success", (string?)attempt["statusText"]);
        Assert.Equal(0, (int)(await client.DestinationAsync("acme", (string)message["id"]!, endpointId))["status"]!);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(500)]
    public async Task OtherStatuses_AreFailures_AndTheDeliveryIsRetried(int status)
    {
        using var herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromSeconds(5));
        var (client, endpointId) = await SetUpAsync(herald, DeliveryTestKit.Always(status));

        var message = await client.PublishAsync("acme");

        var attempt = (await client.WaitForAttemptsAsync("acme", (string)message["id"]!, 1)).Single()!;
        Assert.Equal(status, (int)attempt["responseStatusCode"]!);
        Assert.Equal(2, (int)attempt["status"]!);
        var destination = await client.DestinationAsync("acme", (string)message["id"]!, endpointId);
        Assert.Equal(1, (int)destination["status"]!);
        Assert.Equal(attempt["timestamp"].AsTime() + TimeSpan.FromSeconds(5), destination["nextAttempt"].AsTime());
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task Redirect_IsAFailure_AndItsTargetIsNeverRequested(int status)
    {
        using var herald = DeliveryTestKit.LoopbackHerald();
        var (client, _) = await SetUpAsync(herald, DeliveryTestKit.Always(status, ("Location", _other.Url("/redirected"))));

        var message = await client.PublishAsync("acme");

        var attempt = (await client.WaitForAttemptsAsync("acme", (string)message["id"]!, 1)).Single()!;
        Assert.Equal(status, (int)attempt["responseStatusCode"]!);
        Assert.Equal(2, (int)attempt["status"]!);
        Assert.Contains("redirect", (string?)attempt["error"], StringComparison.OrdinalIgnoreCase);
        Assert.Single(_receiver.Received);
        // A followed redirect would have been requested before the attempt was recorded.
        Assert.Empty(_other.Received);
    }

    [Fact]
    public async Task Gone_DisablesTheEndpoint_StopsRetrying_AndTellsTheOperator()
    {
        using var herald = DeliveryTestKit.LoopbackHerald();
        var (client, endpointId) = await SetUpAsync(herald, DeliveryTestKit.On("/webhook", DeliveryTestKit.Always(410)));
        await client.CreateOperatorEndpointAsync(_receiver.Url("/ops"), "endpoint.disabled");

        var message = await client.PublishAsync("acme");

        var disabled = await _receiver.WaitForAsync(1, r => r.Path == "/ops");
        var data = JsonNode.Parse(disabled[0].Body)!["data"]!;
        Assert.Equal("endpoint.disabled", (string?)JsonNode.Parse(disabled[0].Body)!["type"]);
        Assert.Equal(endpointId, (string?)data["endpointId"]);
        Assert.Equal((string?)(await client.GetObjectAsync("/api/v1/app/acme"))["id"], (string?)data["appId"]);
        Assert.True((bool)(await client.GetEndpointAsync("acme", endpointId))["disabled"]!);
        var attempt = (await client.WaitForAttemptsAsync("acme", (string)message["id"]!, 1)).Single()!;
        Assert.Equal(410, (int)attempt["responseStatusCode"]!);
        var destination = await client.DestinationAsync("acme", (string)message["id"]!, endpointId);
        Assert.Equal(2, (int)destination["status"]!);
        Assert.Null(destination["nextAttempt"]);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task RetryAfterInSeconds_SchedulesTheNextAttempt(int status)
    {
        using var herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        var (client, endpointId) = await SetUpAsync(herald, DeliveryTestKit.Always(status, ("Retry-After", "120")));
        var message = await client.PublishAsync("acme");
        var messageId = (string)message["id"]!;

        var first = (await client.WaitForAttemptsAsync("acme", messageId, 1)).Single()!;

        Assert.Equal(first["timestamp"].AsTime() + TimeSpan.FromSeconds(120), (await client.DestinationAsync("acme", messageId, endpointId))["nextAttempt"].AsTime());
        // Well past the 5 s of the schedule, yet before Retry-After: nothing is due.
        herald.Time!.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(first["timestamp"].AsTime() + TimeSpan.FromSeconds(120), (await client.DestinationAsync("acme", messageId, endpointId))["nextAttempt"].AsTime());
        _receiver.Respond = DeliveryTestKit.Always(200);
        herald.Time.Advance(TimeSpan.FromSeconds(61));
        await _receiver.WaitForAsync(2);
        var attempts = await client.WaitForAttemptsAsync("acme", messageId, 2);
        Assert.Equal(first["timestamp"].AsTime() + TimeSpan.FromSeconds(121), attempts[0]!["timestamp"].AsTime());
    }

    [Fact]
    public async Task RetryAfterAsADate_IsReadAgainstTheServersClock()
    {
        using var herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromSeconds(5));
        var retryAt = herald.Time!.GetUtcNow() + TimeSpan.FromMinutes(10);
        var (client, endpointId) = await SetUpAsync(herald, DeliveryTestKit.Always(503, ("Retry-After", retryAt.ToString("r", CultureInfo.InvariantCulture))));
        var message = await client.PublishAsync("acme");

        await client.WaitForAttemptsAsync("acme", (string)message["id"]!, 1);

        Assert.Equal(retryAt, (await client.DestinationAsync("acme", (string)message["id"]!, endpointId))["nextAttempt"].AsTime());
    }

    [Fact]
    public async Task RetryAfter_IsClampedToMaxRetryAfter()
    {
        using var herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromSeconds(5)).With("Herald:Delivery:MaxRetryAfter", "00:10:00");
        var (client, endpointId) = await SetUpAsync(herald, DeliveryTestKit.Always(429, ("Retry-After", "86400")));
        var message = await client.PublishAsync("acme");

        var first = (await client.WaitForAttemptsAsync("acme", (string)message["id"]!, 1)).Single()!;

        Assert.Equal(first["timestamp"].AsTime() + TimeSpan.FromMinutes(10), (await client.DestinationAsync("acme", (string)message["id"]!, endpointId))["nextAttempt"].AsTime());
    }

    [Fact]
    public async Task NoAnswerWithinTheEndpointTimeout_IsAFailureWithStatusCode0AndAnError()
    {
        using var herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromSeconds(5));
        var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            var (client, _) = await SetUpAsync(herald, async (_, _) => await never.Task, new JsonObject { ["timeoutSeconds"] = 1 });
            var message = await client.PublishAsync("acme");
            await _receiver.WaitForAsync();

            herald.Time!.Advance(TimeSpan.FromSeconds(1));

            var attempt = (await client.WaitForAttemptsAsync("acme", (string)message["id"]!, 1)).Single()!;
            Assert.Equal(0, (int)attempt["responseStatusCode"]!);
            Assert.Equal(2, (int)attempt["status"]!);
            Assert.Contains("No response within 1 s", (string?)attempt["error"]);
        }
        finally
        {
            never.SetResult();
        }
    }

    [Fact]
    public async Task ConnectionRefused_IsAFailureWithStatusCode0AndAnError()
    {
        using var herald = DeliveryTestKit.LoopbackHerald();
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        await client.CreateEndpointAsync("acme", $"http://127.0.0.1:{ClosedPort()}/webhook");

        var message = await client.PublishAsync("acme");

        var attempt = (await client.WaitForAttemptsAsync("acme", (string)message["id"]!, 1)).Single()!;
        Assert.Equal(0, (int)attempt["responseStatusCode"]!);
        Assert.Equal(2, (int)attempt["status"]!);
        Assert.Contains("connect", (string?)attempt["error"], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task OnlyTheFirst64KiBOfAResponse_AreStored()
    {
        using var herald = DeliveryTestKit.LoopbackHerald();
        var body = string.Concat(Enumerable.Range(0, 100_000).Select(i => (char)('a' + (i % 26))));
        var (client, _) = await SetUpAsync(herald, async (_, context) =>
        {
            context.Response.StatusCode = 200;
            await context.Response.WriteAsync(body);
        });

        var message = await client.PublishAsync("acme");

        var attempt = (await client.WaitForAttemptsAsync("acme", (string)message["id"]!, 1)).Single()!;
        Assert.Equal(0, (int)attempt["status"]!);
        Assert.Equal(body[..65536], (string?)attempt["response"]);
    }

    private async Task<(HttpClient Client, string EndpointId)> SetUpAsync(
        HeraldApplication herald, Func<ReceivedWebhook, HttpContext, Task> respond, JsonObject? endpoint = null)
    {
        _receiver.Respond = respond;
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        var created = await client.CreateEndpointAsync("acme", _receiver.Url(), endpoint);
        return (client, (string)created["id"]!);
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
