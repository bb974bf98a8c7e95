using Herald.Server.Tests.BackgroundTasks;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

/// <summary>Sending again on demand: resend, recover, send-example; and an endpoint's stats.</summary>
public sealed class ReplayApiTests() : ReplayTestBed(DeliveryTestKit.FakeTimeHerald(TimeSpan.FromSeconds(5)))
{
    [Fact]
    public async Task Resend_SendsTheMessageAgainAsAManualAttempt()
    {
        var endpointId = await CreateEndpointAsync();
        var messageId = await PublishAsync();
        await Client.WaitForAttemptsAsync("acme", messageId, 1);

        var response = await Client.PostAsync($"/api/v1/app/acme/msg/{messageId}/endpoint/{endpointId}/resend", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var received = await Receiver.WaitForAsync(2);
        Assert.All(received, r => Assert.Equal(messageId, r.Id));
        Assert.Equal(received[0].Body, received[1].Body);
        var attempts = await Client.WaitForAttemptsAsync("acme", messageId, 2);
        Assert.Equal([1, 0], attempts.Select(a => (int)a!["triggerType"]!));
    }

    [Fact]
    public async Task Resend_ToADisabledEndpoint_Returns409()
    {
        var endpointId = await CreateEndpointAsync();
        var messageId = await PublishAsync();
        await Client.WaitForAttemptsAsync("acme", messageId, 1);
        (await Client.SendJsonAsync(HttpMethod.Patch, $"/api/v1/app/acme/endpoint/{endpointId}", """{"disabled":true}""")).EnsureSuccessStatusCode();

        var response = await Client.PostAsync($"/api/v1/app/acme/msg/{messageId}/endpoint/{endpointId}/resend", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Single(Receiver.Received);
    }

    [Fact]
    public async Task Recover_ResendsOnlyMessagesThatFailedSinceTheGivenTime()
    {
        var endpointId = await CreateEndpointAsync();
        FailWhenNotOk();
        var failedLongAgo = await PublishAsync(ok: false);
        await Client.WaitForAttemptsAsync("acme", failedLongAgo, 1);
        Herald.Time!.Advance(TimeSpan.FromHours(1));
        var since = Herald.Time.GetUtcNow();
        var failedRecently = await PublishAsync(ok: false);
        var succeeded = await PublishAsync(ok: true);
        await Client.WaitForAttemptsAsync("acme", failedRecently, 1);
        await Client.WaitForAttemptsAsync("acme", succeeded, 1);
        Herald.Time.Advance(TimeSpan.FromSeconds(5));
        await Client.WaitForAttemptsAsync("acme", failedLongAgo, 2);
        await Client.WaitForAttemptsAsync("acme", failedRecently, 2);
        Assert.Equal(2, (int)(await Client.DestinationAsync("acme", failedRecently, endpointId))["status"]!);
        Receiver.Respond = DeliveryTestKit.Always(200);

        var response = await Client.PostAsJsonAsync($"/api/v1/app/acme/endpoint/{endpointId}/recover", new JsonObject { ["since"] = since.ToString("O") });

        var task = await Client.WaitForTaskAsync(await response.StartedTaskIdAsync("endpoint.recover"));
        Assert.Equal("finished", (string?)task["status"]);
        Assert.Equal(1, (int)task["data"]!["messagesSent"]!);
        await Receiver.WaitForAsync(3, r => r.Id == failedRecently);
        var attempts = await Client.WaitForAttemptsAsync("acme", failedRecently, 3);
        Assert.Equal(1, (int)attempts[0]!["triggerType"]!);
        Assert.Equal(0, (int)(await Client.DestinationAsync("acme", failedRecently, endpointId))["status"]!);
        // The task has finished: no resend exists for the older failure or the success.
        Assert.Equal(2, (int)(await Client.DestinationAsync("acme", failedLongAgo, endpointId))["status"]!);
        Assert.Single(await Client.GetDataAsync($"/api/v1/app/acme/attempt/msg/{succeeded}"));
        Assert.Equal(2, (await Client.GetDataAsync($"/api/v1/app/acme/attempt/msg/{failedLongAgo}")).Count);
    }

    [Fact]
    public async Task Recover_WithoutSince_Returns422()
    {
        var endpointId = await CreateEndpointAsync();

        var response = await PostToEndpointAsync(endpointId, "recover", "{}");

        await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
    }

    [Fact]
    public async Task SendExample_UnknownEventType_Returns404AndSendsNothing()
    {
        var endpointId = await CreateEndpointAsync();

        var response = await PostToEndpointAsync(endpointId, "send-example", """{"eventType":"no.such.type"}""");

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Empty(await Client.GetDataAsync("/api/v1/app/acme/msg"));
    }

    [Fact]
    public async Task SendExample_DeliversAnExampleToThatEndpointOnly()
    {
        await Client.CreateEventTypeAsync("invoice.paid");
        var endpointId = await CreateEndpointAsync("/target");
        await CreateEndpointAsync("/other");

        var response = await PostToEndpointAsync(endpointId, "send-example", """{"eventType":"invoice.paid"}""");

        var message = await response.ReadObjectAsync(HttpStatusCode.Accepted);
        Assert.Equal("invoice.paid", (string?)message["eventType"]);
        var received = (await Receiver.WaitForAsync(1, r => r.Path == "/target")).Single();
        Assert.Equal((string?)message["id"], received.Id);
        Assert.Equal(message["payload"]!.ToJsonString(), JsonNode.Parse(received.Body)!.ToJsonString());
        var destinations = await Client.GetDataAsync($"/api/v1/app/acme/msg/{message["id"]}/endpoint");
        Assert.Equal(endpointId, (string?)destinations.Single()!["id"]);
        Assert.DoesNotContain(Receiver.Received, r => r.Path == "/other");
    }

    [Fact]
    public async Task Stats_CountTheEndpointsMessagesByStatus()
    {
        var endpointId = await CreateEndpointAsync();
        FailWhenNotOk();
        foreach (var ok in new[] { true, true, false })
        {
            var id = await PublishAsync(ok);
            await Client.WaitForAttemptsAsync("acme", id, 1);
        }

        var stats = await Client.GetObjectAsync($"/api/v1/app/acme/endpoint/{endpointId}/stats");

        Assert.Equal(2, (int)stats["success"]!);
        Assert.Equal(1, (int)stats["pending"]!);
        Assert.Equal(0, (int)stats["fail"]!);
        Assert.Equal(0, (int)stats["sending"]!);
        Assert.Equal(0, (int)stats["canceled"]!);
    }
}
