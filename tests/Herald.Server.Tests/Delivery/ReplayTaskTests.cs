using Herald.Server.Tests.BackgroundTasks;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

/// <summary>replay-missing and bulk-replay: background tasks that send an endpoint messages again, to a real receiver.</summary>
public sealed class ReplayTaskTests : IAsyncLifetime
{
    private static readonly string LongAgo = DateTimeOffset.UtcNow.AddHours(-1).ToString("O");
    private readonly HeraldApplication _herald = DeliveryTestKit.LoopbackHerald();
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
    public async Task ReplayMissing_SendsWhatTheEndpointNeverGot_ThatItsFiltersAccept()
    {
        await _client.CreateEventTypeAsync("invoice.paid");
        var before = (string)(await _client.PublishAsync("acme", "invoice.paid"))["id"]!;
        var otherType = (string)(await _client.PublishAsync("acme", "user.created"))["id"]!;
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url(),
            new JsonObject { ["eventTypes"] = new JsonArray("invoice.paid") }))["id"]!;
        var after = (string)(await _client.PublishAsync("acme", "invoice.paid"))["id"]!;
        await _receiver.WaitForAsync(1, r => r.Id == after);

        var id = await (await _client.PostJsonAsync($"/api/v1/app/acme/endpoint/{endpointId}/replay-missing", $$"""{"since":"{{LongAgo}}"}"""))
            .StartedTaskIdAsync("endpoint.replay");

        var task = await _client.WaitForTaskAsync(id);
        Assert.Equal("finished", (string?)task["status"]);
        Assert.Equal(1, (int)task["data"]!["messagesSent"]!);
        await _receiver.WaitForAsync(1, r => r.Id == before);
        Assert.Single(_receiver.Received, r => r.Id == after);
        Assert.DoesNotContain(_receiver.Received, r => r.Id == otherType);
    }

    [Fact]
    public async Task ReplayMissing_OutsideTheWindow_SendsNothing()
    {
        await _client.PublishAsync("acme");
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        var since = DateTimeOffset.UtcNow.AddHours(1).ToString("O");

        var id = await (await _client.PostJsonAsync($"/api/v1/app/acme/endpoint/{endpointId}/replay-missing", $$"""{"since":"{{since}}"}"""))
            .StartedTaskIdAsync("endpoint.replay");

        Assert.Equal(0, (int)(await _client.WaitForTaskAsync(id))["data"]!["messagesSent"]!);
        Assert.Empty(_receiver.Received);
    }

    [Fact]
    public async Task ReplayMissing_ToADisabledEndpoint_Returns409()
    {
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url(), new JsonObject { ["disabled"] = true }))["id"]!;

        var response = await _client.PostJsonAsync($"/api/v1/app/acme/endpoint/{endpointId}/replay-missing", $$"""{"since":"{{LongAgo}}"}""");

        await response.AssertErrorAsync(HttpStatusCode.Conflict, "endpoint_disabled");
        Assert.Empty(await _client.GetDataAsync("/api/v1/background-task"));
    }

    [Fact]
    public async Task BulkReplay_SendsTheEndpointsMessagesAgain_NarrowedByEventType()
    {
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        var paid = (string)(await _client.PublishAsync("acme", "invoice.paid"))["id"]!;
        var created = (string)(await _client.PublishAsync("acme", "user.created"))["id"]!;
        await _receiver.WaitForAsync(2);

        var id = await (await _client.PostJsonAsync($"/api/v1/app/acme/endpoint/{endpointId}/bulk-replay",
            $$"""{"since":"{{LongAgo}}","eventTypes":["invoice.paid"]}""")).StartedTaskIdAsync("endpoint.bulk-replay");

        Assert.Equal(1, (int)(await _client.WaitForTaskAsync(id))["data"]!["messagesSent"]!);
        await _receiver.WaitForAsync(2, r => r.Id == paid);
        Assert.Single(_receiver.Received, r => r.Id == created);
    }

    [Fact]
    public async Task BulkReplay_ByStatus_SendsOnlyMessagesInThatState()
    {
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        var delivered = (string)(await _client.PublishAsync("acme"))["id"]!;
        await _client.WaitForAttemptsAsync("acme", delivered, 1);

        var id = await (await _client.PostJsonAsync($"/api/v1/app/acme/endpoint/{endpointId}/bulk-replay",
            $$"""{"since":"{{LongAgo}}","status":2}""")).StartedTaskIdAsync("endpoint.bulk-replay");

        Assert.Equal(0, (int)(await _client.WaitForTaskAsync(id))["data"]!["messagesSent"]!);
        Assert.Single(_receiver.Received);
    }

    [Theory]
    [InlineData("""{"until":"2020-01-01T00:00:00Z"}""", "since")]
    [InlineData("""{"since":"2020-01-02T00:00:00Z","until":"2020-01-01T00:00:00Z"}""", "until")]
    [InlineData("""{"since":"2020-01-01T00:00:00Z","status":7}""", "status")]
    [InlineData("""{"since":"2020-01-01T00:00:00Z","statusCodeClass":250}""", "statusCodeClass")]
    [InlineData("""{"since":"2020-01-01T00:00:00Z","eventTypes":["not a name"]}""", "eventTypes")]
    public async Task BulkReplay_WithInvalidInput_Returns422NamingTheField(string body, string field)
    {
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;

        var response = await _client.PostJsonAsync($"/api/v1/app/acme/endpoint/{endpointId}/bulk-replay", body);

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Contains(field, error.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty(await _client.GetDataAsync("/api/v1/background-task"));
    }
}
