using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// Retries on a fake clock: attempts at the scheduled times and not before, exhaustion, the operator's failing /
/// exhausted / recovered webhooks, single-try resends, and disabling an endpoint that keeps failing.
/// </summary>
public sealed class RetryScheduleTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task FailedDelivery_IsRetriedAtTheScheduledTimes_NotBefore_ThenExhausted()
    {
        using var herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        await client.CreateOperatorEndpointAsync(_receiver.Url("/ops"), "message.attempt.exhausted");
        var target = (string)(await client.CreateEndpointAsync("acme", _receiver.Url("/target")))["id"]!;
        // The canary's retry falls due 1 s before the target's: once the scan has sent it, a scan has run at a time the target was not due.
        var canary = (string)(await client.CreateEndpointAsync("acme", _receiver.Url("/canary")))["id"]!;
        _receiver.Respond = (webhook, context) =>
        {
            context.Response.StatusCode = webhook.Path switch { "/ops" => 200, "/canary" => 503, _ => 500 };
            context.Response.Headers.RetryAfter = "4";
            return Task.CompletedTask;
        };
        var start = herald.Time!.GetUtcNow();
        var messageId = (string)(await client.PublishAsync("acme"))["id"]!;
        await client.WaitForAttemptsAsync("acme", messageId, 1, target);
        await client.WaitForAttemptsAsync("acme", messageId, 1, canary);
        Assert.Equal(start + TimeSpan.FromSeconds(5), (await client.DestinationAsync("acme", messageId, target))["nextAttempt"].AsTime());

        herald.Time.Advance(TimeSpan.FromSeconds(4.5));
        await client.WaitForAttemptsAsync("acme", messageId, 2, canary);
        Assert.Single(await client.GetDataAsync($"/api/v1/app/acme/attempt/msg/{messageId}?endpoint_id={target}"));
        Assert.Single(_receiver.Received, r => r.Path == "/target");

        herald.Time.Advance(TimeSpan.FromSeconds(0.5));
        var second = (await client.WaitForAttemptsAsync("acme", messageId, 2, target))[0]!;
        Assert.Equal(start + TimeSpan.FromSeconds(5), second["timestamp"].AsTime());
        Assert.Equal(start + TimeSpan.FromSeconds(15), (await client.DestinationAsync("acme", messageId, target))["nextAttempt"].AsTime());

        herald.Time.Advance(TimeSpan.FromSeconds(10));
        var third = (await client.WaitForAttemptsAsync("acme", messageId, 3, target))[0]!;
        Assert.Equal(start + TimeSpan.FromSeconds(15), third["timestamp"].AsTime());

        var exhausted = await _receiver.WaitForAsync(1, r => r.Path == "/ops" && JsonNode.Parse(r.Body)!["data"]!["endpointId"]!.GetValue<string>() == target);
        var data = JsonNode.Parse(exhausted[0].Body)!["data"]!;
        Assert.Equal("message.attempt.exhausted", (string?)JsonNode.Parse(exhausted[0].Body)!["type"]);
        Assert.Equal(messageId, (string?)data["msgId"]);
        Assert.Equal((string?)third["id"], (string?)data["lastAttempt"]!["id"]);
        Assert.Equal(500, (int)data["lastAttempt"]!["responseStatusCode"]!);
        var destination = await client.DestinationAsync("acme", messageId, target);
        Assert.Equal(2, (int)destination["status"]!);
        Assert.Null(destination["nextAttempt"]);
        Assert.Equal(3, _receiver.Received.Count(r => r.Path == "/target"));
    }

    [Fact]
    public async Task OperatorIsToldAfterTheFourthFailure_AndAgainWhenALaterAttemptSucceeds()
    {
        var schedule = Enumerable.Repeat(TimeSpan.FromSeconds(1), 6).ToArray();
        using var herald = DeliveryTestKit.FakeTimeHerald(schedule);
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        await client.CreateOperatorEndpointAsync(_receiver.Url("/ops"), "message.attempt.failing", "message.attempt.recovered", "message.attempt.exhausted");
        await client.CreateEndpointAsync("acme", _receiver.Url("/flaky"));
        var failuresLeft = 4;
        _receiver.Respond = DeliveryTestKit.On("/flaky", (_, context) =>
        {
            context.Response.StatusCode = Interlocked.Decrement(ref failuresLeft) >= 0 ? 500 : 200;
            return Task.CompletedTask;
        });
        var messageId = (string)(await client.PublishAsync("acme"))["id"]!;

        JsonArray attempts = [];
        for (var made = 1; made <= 5; made++)
        {
            attempts = await client.WaitForAttemptsAsync("acme", messageId, made);
            herald.Time!.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal([0, 2, 2, 2, 2], attempts.Select(a => (int)a!["status"]!));
        var failing = (await _receiver.WaitForAsync(1, r => r.IsOperational("message.attempt.failing"))).Single();
        var recovered = (await _receiver.WaitForAsync(1, r => r.IsOperational("message.attempt.recovered"))).Single();
        Assert.Equal((string?)attempts[1]!["id"], (string?)JsonNode.Parse(failing.Body)!["data"]!["lastAttempt"]!["id"]);
        Assert.Equal((string?)attempts[0]!["id"], (string?)JsonNode.Parse(recovered.Body)!["data"]!["lastAttempt"]!["id"]);
        Assert.Equal(messageId, (string?)JsonNode.Parse(recovered.Body)!["data"]!["msgId"]);
        Assert.DoesNotContain(_receiver.Received, r => r.IsOperational("message.attempt.exhausted"));
    }

    [Fact]
    public async Task ManualResend_IsASingleTry_EvenWhenItFails()
    {
        using var herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromSeconds(5));
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        var endpointId = (string)(await client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        _receiver.Respond = DeliveryTestKit.Always(500);
        var messageId = (string)(await client.PublishAsync("acme"))["id"]!;
        await client.WaitForAttemptsAsync("acme", messageId, 1);
        herald.Time!.Advance(TimeSpan.FromSeconds(5));
        await client.WaitForAttemptsAsync("acme", messageId, 2);
        Assert.Equal(2, (int)(await client.DestinationAsync("acme", messageId, endpointId))["status"]!);

        var resend = await client.PostAsync($"/api/v1/app/acme/msg/{messageId}/endpoint/{endpointId}/resend", null);
        Assert.Equal(HttpStatusCode.Accepted, resend.StatusCode);

        var manual = (await client.WaitForAttemptsAsync("acme", messageId, 3))[0]!;
        Assert.Equal(1, (int)manual["triggerType"]!);
        Assert.Equal(2, (int)manual["status"]!);
        var destination = await client.DestinationAsync("acme", messageId, endpointId);
        Assert.Equal(2, (int)destination["status"]!);
        Assert.Null(destination["nextAttempt"]);
        herald.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(3, (await client.GetDataAsync($"/api/v1/app/acme/attempt/msg/{messageId}")).Count);
    }

    [Fact]
    public async Task EndpointFailingContinuouslyLongerThanDisableEndpointAfter_IsDisabled_AndTheOperatorTold()
    {
        using var herald = DeliveryTestKit.FakeTimeHerald(Enumerable.Repeat(TimeSpan.FromSeconds(30), 6).ToArray())
            .With("Herald:Delivery:DisableEndpointAfter", "00:01:00");
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        await client.CreateOperatorEndpointAsync(_receiver.Url("/ops"), "endpoint.disabled");
        var endpointId = (string)(await client.CreateEndpointAsync("acme", _receiver.Url("/down")))["id"]!;
        _receiver.Respond = DeliveryTestKit.On("/down", DeliveryTestKit.Always(500));
        var start = herald.Time!.GetUtcNow();
        var messageId = (string)(await client.PublishAsync("acme"))["id"]!;

        await client.WaitForAttemptsAsync("acme", messageId, 1);
        herald.Time.Advance(TimeSpan.FromSeconds(30));
        await client.WaitForAttemptsAsync("acme", messageId, 2);
        Assert.False((bool)(await client.GetEndpointAsync("acme", endpointId))["disabled"]!);

        herald.Time.Advance(TimeSpan.FromSeconds(30));
        await client.WaitForAttemptsAsync("acme", messageId, 3);

        var told = (await _receiver.WaitForAsync(1, r => r.IsOperational("endpoint.disabled"))).Single();
        var data = JsonNode.Parse(told.Body)!["data"]!;
        Assert.Equal(endpointId, (string?)data["endpointId"]);
        Assert.Equal(start, data["failSince"].AsTime());
        Assert.True((bool)(await client.GetEndpointAsync("acme", endpointId))["disabled"]!);
    }

    [Fact]
    public async Task ASuccessInBetween_ResetsTheFailureStreak()
    {
        using var herald = DeliveryTestKit.FakeTimeHerald(Enumerable.Repeat(TimeSpan.FromSeconds(30), 6).ToArray())
            .With("Herald:Delivery:DisableEndpointAfter", "00:01:00");
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        await client.CreateOperatorEndpointAsync(_receiver.Url("/ops"), "endpoint.disabled");
        var endpointId = (string)(await client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        _receiver.Respond = (webhook, context) =>
        {
            context.Response.StatusCode = webhook.Path == "/ops" ? 200 : webhook.BodyText.Contains("\"fail\":true", StringComparison.Ordinal) ? 500 : 200;
            return Task.CompletedTask;
        };
        var start = herald.Time!.GetUtcNow();
        var failing = (string)(await client.PublishAsync("acme", "invoice.paid", new JsonObject { ["payload"] = new JsonObject { ["fail"] = true } }))["id"]!;
        await client.WaitForAttemptsAsync("acme", failing, 1);
        herald.Time.Advance(TimeSpan.FromSeconds(30));
        await client.WaitForAttemptsAsync("acme", failing, 2);

        herald.Time.Advance(TimeSpan.FromSeconds(15));
        var succeeding = (string)(await client.PublishAsync("acme"))["id"]!;
        Assert.Equal(0, (int)(await client.WaitForAttemptsAsync("acme", succeeding, 1))[0]!["status"]!);

        // Failures at 60 s and 90 s: a streak of 30 s since the success, below the minute.
        herald.Time.Advance(TimeSpan.FromSeconds(15));
        await client.WaitForAttemptsAsync("acme", failing, 3);
        herald.Time.Advance(TimeSpan.FromSeconds(30));
        await client.WaitForAttemptsAsync("acme", failing, 4);
        Assert.False((bool)(await client.GetEndpointAsync("acme", endpointId))["disabled"]!);

        // At 120 s the streak that began at 60 s reaches a minute.
        herald.Time.Advance(TimeSpan.FromSeconds(30));
        await client.WaitForAttemptsAsync("acme", failing, 5);
        var told = (await _receiver.WaitForAsync(1, r => r.IsOperational("endpoint.disabled"))).Single();
        Assert.Equal(start + TimeSpan.FromSeconds(60), JsonNode.Parse(told.Body)!["data"]!["failSince"].AsTime());
        Assert.True((bool)(await client.GetEndpointAsync("acme", endpointId))["disabled"]!);
    }

}
