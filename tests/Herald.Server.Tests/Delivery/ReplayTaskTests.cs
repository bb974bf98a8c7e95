using Herald.Server.Tests.BackgroundTasks;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

/// <summary>replay-missing and bulk-replay: background tasks that send an endpoint messages again, to a real receiver.</summary>
public sealed class ReplayTaskTests() : ReplayTestBed(DeliveryTestKit.LoopbackHerald())
{
    [Fact]
    public async Task ReplayMissing_SendsWhatTheEndpointNeverGot_ThatItsFiltersAccept()
    {
        await Client.CreateEventTypeAsync("invoice.paid");
        var before = await PublishAsync("invoice.paid");
        var otherType = await PublishAsync("user.created");
        var endpointId = await CreateEndpointAsync(extra: new JsonObject { ["eventTypes"] = new JsonArray("invoice.paid") });
        var after = await PublishAsync("invoice.paid");
        await Receiver.WaitForAsync(1, r => r.Id == after);

        var id = await (await PostToEndpointAsync(endpointId, "replay-missing", $$"""{"since":"{{LongAgo}}"}"""))
            .StartedTaskIdAsync("endpoint.replay");

        var task = await Client.WaitForTaskAsync(id);
        Assert.Equal("finished", (string?)task["status"]);
        Assert.Equal(1, (int)task["data"]!["messagesSent"]!);
        await Receiver.WaitForAsync(1, r => r.Id == before);
        Assert.Single(Receiver.Received, r => r.Id == after);
        Assert.DoesNotContain(Receiver.Received, r => r.Id == otherType);
    }

    [Fact]
    public async Task ReplayMissing_OutsideTheWindow_SendsNothing()
    {
        await Client.PublishAsync("acme");
        var endpointId = await CreateEndpointAsync();
        var since = DateTimeOffset.UtcNow.AddHours(1).ToString("O");

        var id = await (await PostToEndpointAsync(endpointId, "replay-missing", $$"""{"since":"{{since}}"}"""))
            .StartedTaskIdAsync("endpoint.replay");

        Assert.Equal(0, (int)(await Client.WaitForTaskAsync(id))["data"]!["messagesSent"]!);
        Assert.Empty(Receiver.Received);
    }

    [Fact]
    public async Task ReplayMissing_ToADisabledEndpoint_Returns409()
    {
        var endpointId = await CreateEndpointAsync(extra: new JsonObject { ["disabled"] = true });

        var response = await PostToEndpointAsync(endpointId, "replay-missing", $$"""{"since":"{{LongAgo}}"}""");

        await response.AssertErrorAsync(HttpStatusCode.Conflict, "endpoint_disabled");
        Assert.Empty(await Client.GetDataAsync("/api/v1/background-task"));
    }

    [Fact]
    public async Task BulkReplay_SendsTheEndpointsMessagesAgain_NarrowedByEventType()
    {
        var endpointId = await CreateEndpointAsync();
        var paid = await PublishAsync("invoice.paid");
        var created = await PublishAsync("user.created");
        await Receiver.WaitForAsync(2);

        var id = await (await PostToEndpointAsync(endpointId, "bulk-replay", $$"""{"since":"{{LongAgo}}","eventTypes":["invoice.paid"]}""")).StartedTaskIdAsync("endpoint.bulk-replay");

        Assert.Equal(1, (int)(await Client.WaitForTaskAsync(id))["data"]!["messagesSent"]!);
        await Receiver.WaitForAsync(2, r => r.Id == paid);
        Assert.Single(Receiver.Received, r => r.Id == created);
    }

    [Fact]
    public async Task BulkReplay_ByStatus_SendsOnlyMessagesInThatState()
    {
        var endpointId = await CreateEndpointAsync();
        var delivered = await PublishAsync();
        await Client.WaitForAttemptsAsync("acme", delivered, 1);

        var id = await (await PostToEndpointAsync(endpointId, "bulk-replay", $$"""{"since":"{{LongAgo}}","status":2}""")).StartedTaskIdAsync("endpoint.bulk-replay");

        Assert.Equal(0, (int)(await Client.WaitForTaskAsync(id))["data"]!["messagesSent"]!);
        Assert.Single(Receiver.Received);
    }

    [Theory]
    [InlineData("""{"until":"2020-01-01T00:00:00Z"}""", "since")]
    [InlineData("""{"since":"2020-01-02T00:00:00Z","until":"2020-01-01T00:00:00Z"}""", "until")]
    [InlineData("""{"since":"2020-01-01T00:00:00Z","status":7}""", "status")]
    [InlineData("""{"since":"2020-01-01T00:00:00Z","statusCodeClass":250}""", "statusCodeClass")]
    [InlineData("""{"since":"2020-01-01T00:00:00Z","eventTypes":["not a name"]}""", "eventTypes")]
    public async Task BulkReplay_WithInvalidInput_Returns422NamingTheField(string body, string field)
    {
        var endpointId = await CreateEndpointAsync();

        var response = await PostToEndpointAsync(endpointId, "bulk-replay", body);

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Contains(field, error.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty(await Client.GetDataAsync("/api/v1/background-task"));
    }
}
