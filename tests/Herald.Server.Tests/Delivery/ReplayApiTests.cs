using Herald.Server.Tests.BackgroundTasks;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

/// <summary>Sending again on demand: resend, recover, send-example; and an endpoint's stats.</summary>
public sealed class ReplayApiTests : IAsyncLifetime
{
    private readonly HeraldApplication _herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromSeconds(5));
    private WebhookReceiver _receiver = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _client = _herald.CreateAdminClient();
        await _client.CreateAppAsync("Acme", "acme");
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _herald.Dispose();
    }

    [Fact]
    public async Task Resend_SendsTheMessageAgainAsAManualAttempt()
    {
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        var messageId = (string)(await _client.PublishAsync("acme"))["id"]!;
        await _client.WaitForAttemptsAsync("acme", messageId, 1);

        var response = await _client.PostAsync($"/api/v1/app/acme/msg/{messageId}/endpoint/{endpointId}/resend", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var received = await _receiver.WaitForAsync(2);
        Assert.All(received, r => Assert.Equal(messageId, r.Id));
        Assert.Equal(received[0].Body, received[1].Body);
        var attempts = await _client.WaitForAttemptsAsync("acme", messageId, 2);
        Assert.Equal([1, 0], attempts.Select(a => (int)a!["triggerType"]!));
    }

    [Fact]
    public async Task Resend_ToADisabledEndpoint_Returns409()
    {
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        var messageId = (string)(await _client.PublishAsync("acme"))["id"]!;
        await _client.WaitForAttemptsAsync("acme", messageId, 1);
        (await _client.SendJsonAsync(HttpMethod.Patch, $"/api/v1/app/acme/endpoint/{endpointId}", """{"disabled":true}""")).EnsureSuccessStatusCode();

        var response = await _client.PostAsync($"/api/v1/app/acme/msg/{messageId}/endpoint/{endpointId}/resend", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Single(_receiver.Received);
    }

    [Fact]
    public async Task Recover_ResendsOnlyMessagesThatFailedSinceTheGivenTime()
    {
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        _receiver.Respond = (webhook, context) =>
        {
            context.Response.StatusCode = webhook.BodyText.Contains("\"ok\":false", StringComparison.Ordinal) ? 500 : 200;
            return Task.CompletedTask;
        };
        var failedLongAgo = (string)(await PublishAsync(ok: false))["id"]!;
        await _client.WaitForAttemptsAsync("acme", failedLongAgo, 1);
        _herald.Time!.Advance(TimeSpan.FromHours(1));
        var since = _herald.Time.GetUtcNow();
        var failedRecently = (string)(await PublishAsync(ok: false))["id"]!;
        var succeeded = (string)(await PublishAsync(ok: true))["id"]!;
        await _client.WaitForAttemptsAsync("acme", failedRecently, 1);
        await _client.WaitForAttemptsAsync("acme", succeeded, 1);
        _herald.Time.Advance(TimeSpan.FromSeconds(5));
        await _client.WaitForAttemptsAsync("acme", failedLongAgo, 2);
        await _client.WaitForAttemptsAsync("acme", failedRecently, 2);
        Assert.Equal(2, (int)(await _client.DestinationAsync("acme", failedRecently, endpointId))["status"]!);
        _receiver.Respond = DeliveryTestKit.Always(200);

        var response = await _client.PostAsJsonAsync($"/api/v1/app/acme/endpoint/{endpointId}/recover", new JsonObject { ["since"] = since.ToString("O") });

        var task = await _client.WaitForTaskAsync(await response.StartedTaskIdAsync("endpoint.recover"));
        Assert.Equal("finished", (string?)task["status"]);
        Assert.Equal(1, (int)task["data"]!["messagesSent"]!);
        await _receiver.WaitForAsync(3, r => r.Id == failedRecently);
        var attempts = await _client.WaitForAttemptsAsync("acme", failedRecently, 3);
        Assert.Equal(1, (int)attempts[0]!["triggerType"]!);
        Assert.Equal(0, (int)(await _client.DestinationAsync("acme", failedRecently, endpointId))["status"]!);
        // The task has finished: no resend exists for the older failure or the success.
        Assert.Equal(2, (int)(await _client.DestinationAsync("acme", failedLongAgo, endpointId))["status"]!);
        Assert.Single(await _client.GetDataAsync($"/api/v1/app/acme/attempt/msg/{succeeded}"));
        Assert.Equal(2, (await _client.GetDataAsync($"/api/v1/app/acme/attempt/msg/{failedLongAgo}")).Count);
    }

    [Fact]
    public async Task Recover_WithoutSince_Returns422()
    {
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;

        var response = await _client.PostJsonAsync($"/api/v1/app/acme/endpoint/{endpointId}/recover", "{}");

        await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
    }

    [Fact]
    public async Task SendExample_UnknownEventType_Returns404AndSendsNothing()
    {
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;

        var response = await _client.PostJsonAsync($"/api/v1/app/acme/endpoint/{endpointId}/send-example", """{"eventType":"no.such.type"}""");

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Empty(await _client.GetDataAsync("/api/v1/app/acme/msg"));
    }

    [Fact]
    public async Task SendExample_DeliversAnExampleToThatEndpointOnly()
    {
        await _client.CreateEventTypeAsync("invoice.paid");
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url("/target")))["id"]!;
        await _client.CreateEndpointAsync("acme", _receiver.Url("/other"));

        var response = await _client.PostJsonAsync($"/api/v1/app/acme/endpoint/{endpointId}/send-example", """{"eventType":"invoice.paid"}""");

        var message = await response.ReadObjectAsync(HttpStatusCode.Accepted);
        Assert.Equal("invoice.paid", (string?)message["eventType"]);
        var received = (await _receiver.WaitForAsync(1, r => r.Path == "/target")).Single();
        Assert.Equal((string?)message["id"], received.Id);
        Assert.Equal(message["payload"]!.ToJsonString(), JsonNode.Parse(received.Body)!.ToJsonString());
        var destinations = await _client.GetDataAsync($"/api/v1/app/acme/msg/{message["id"]}/endpoint");
        Assert.Equal(endpointId, (string?)destinations.Single()!["id"]);
        Assert.DoesNotContain(_receiver.Received, r => r.Path == "/other");
    }

    [Fact]
    public async Task Stats_CountTheEndpointsMessagesByStatus()
    {
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        _receiver.Respond = (webhook, context) =>
        {
            context.Response.StatusCode = webhook.BodyText.Contains("\"ok\":false", StringComparison.Ordinal) ? 500 : 200;
            return Task.CompletedTask;
        };
        foreach (var ok in new[] { true, true, false })
        {
            var id = (string)(await PublishAsync(ok))["id"]!;
            await _client.WaitForAttemptsAsync("acme", id, 1);
        }

        var stats = await _client.GetObjectAsync($"/api/v1/app/acme/endpoint/{endpointId}/stats");

        Assert.Equal(2, (int)stats["success"]!);
        Assert.Equal(1, (int)stats["pending"]!);
        Assert.Equal(0, (int)stats["fail"]!);
        Assert.Equal(0, (int)stats["sending"]!);
        Assert.Equal(0, (int)stats["canceled"]!);
    }

    private Task<JsonObject> PublishAsync(bool ok) =>
        _client.PublishAsync("acme", "invoice.paid", new JsonObject { ["payload"] = new JsonObject { ["ok"] = ok } });
}
