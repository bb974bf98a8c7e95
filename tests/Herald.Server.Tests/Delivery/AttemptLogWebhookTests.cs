using System.Globalization;
using Herald.Server.Delivery;
using Herald.Server.Messages;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// <c>message.attempt.log</c>: every attempt of the customers' webhooks, batched per interval (or per full batch), sent to
/// the operational endpoints that subscribe to it by name — on a fake clock, so the interval passes when the test says.
/// </summary>
public sealed class AttemptLogWebhookTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private HeraldApplication _herald = null!;
    private WebhookReceiver _receiver = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Respond = DeliveryTestKit.On("/fail", DeliveryTestKit.Always(500));
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _herald.Dispose();
    }

    /// <summary>Herald on a fake clock (no retry within the test), with Acme, an operational endpoint subscribed at /ops, and one that takes every type at /all.</summary>
    private async Task StartAsync(int batchSize = 250)
    {
        _herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromHours(1)).With("Herald:Delivery:AttemptLogBatchSize", batchSize.ToString(CultureInfo.InvariantCulture));
        _admin = _herald.CreateAdminClient();
        await _admin.CreateAppAsync("Acme", "acme");
        await _admin.CreateOperatorEndpointAsync(_receiver.Url("/ops"), "message.attempt.log");
        await _admin.CreateOperatorEndpointAsync(_receiver.Url("/all"));
        // Who subscribes is read again at each interval (advanced until the batcher's timer, started in the background, ticks).
        await DeliveryTestKit.EventuallyAsync(() =>
        {
            if (!Batcher.HasSubscribers)
            {
                _herald.Time!.Advance(Interval);
            }

            return Task.FromResult(Batcher.HasSubscribers);
        }, "the attempt log knows its subscriber");
    }

    private AttemptLogBatcher Batcher => _herald.Services.GetRequiredService<AttemptLogBatcher>();

    /// <summary>The dispatcher hands an attempt to the log just after storing it: waits until <paramref name="count"/> are in.</summary>
    private Task BufferedAsync(int count) =>
        DeliveryTestKit.EventuallyAsync(() => Task.FromResult(Batcher.Buffered == count), $"{count} attempt(s) wait for the log");

    private IEnumerable<JsonArray> Batches() =>
        _receiver.Received.Where(r => r.Path == "/ops").Select(r => JsonNode.Parse(r.Body)!.AsObject())
            .Where(o => (string?)o["type"] == "message.attempt.log").Select(o => o["data"]!.AsArray());

    [Fact]
    public async Task AfterTheInterval_TheSubscriberGetsEachAttempt_WithSvixsFields()
    {
        await StartAsync();
        var ok = (string)(await _admin.CreateEndpointAsync("acme", _receiver.Url("/ok")))["id"]!;
        var failing = (string)(await _admin.CreateEndpointAsync("acme", _receiver.Url("/fail")))["id"]!;
        var appId = (string)(await _admin.GetObjectAsync("/api/v1/app/acme"))["id"]!;
        var message = await _admin.PublishAsync("acme", "invoice.paid", new JsonObject { ["eventId"] = "evt-1" });
        var msgId = (string)message["id"]!;
        var attempts = await _admin.WaitForAttemptsAsync("acme", msgId, 2);
        await BufferedAsync(2);
        Assert.Empty(Batches());

        _herald.Time!.Advance(Interval);
        await _receiver.WaitForAsync(1, r => r.Path == "/ops");

        var batch = Assert.Single(Batches());
        Assert.Equal(2, batch.Count);
        foreach (var entry in batch.Select(e => e!.AsObject()))
        {
            var endpointId = (string)entry["endpointId"]!;
            var attempt = attempts.Single(a => (string?)a!["endpointId"] == endpointId)!;
            Assert.Equal((string?)attempt["id"], (string?)entry["attemptId"]);
            Assert.Equal(endpointId == ok ? 200 : 500, (int)entry["responseStatusCode"]!);
            Assert.Equal(endpointId == ok ? 0 : 2, (int)entry["status"]!);
            Assert.Equal(1, (int)entry["attemptCount"]!);
            Assert.Equal(appId, (string?)entry["appId"]);
            Assert.Equal("acme", (string?)entry["appUid"]);
            Assert.Equal(msgId, (string?)entry["msgId"]);
            Assert.Equal("evt-1", (string?)entry["msgEventId"]);
            Assert.Equal("invoice.paid", (string?)entry["eventType"]);
            Assert.Equal(AttemptLogBatcher.OrganizationId, (string?)entry["orgId"]);
            Assert.Equal(message["timestamp"].AsTime(), entry["msgCreated"].AsTime());
            Assert.Equal(attempt["timestamp"].AsTime(), entry["attemptEnd"].AsTime());
            Assert.True(entry["attemptStart"].AsTime() <= entry["attemptEnd"].AsTime());
            Assert.Equal(entry["attemptStart"].AsTime(), entry["httpTimes"]!["start"].AsTime());
        }

        Assert.Contains(batch, e => (string?)e!["endpointId"] == failing);
        // Only the subscriber got it: the endpoint that takes every type did not.
        var store = _herald.Services.GetRequiredService<IHeraldStore>();
        var everything = new PageRequest(250, null, Backward: false, Descending: false);
        var logs = (await store.ListMessagesAsync(OperationalWebhooks.ApplicationId, new MessageFilter(EventTypes: ["message.attempt.log"]), everything, CancellationToken.None)).Items;
        var sentTo = await store.ListMessageDeliveryStatesAsync(Assert.Single(logs).Id, CancellationToken.None);
        var ops = (await _admin.GetDataAsync("/api/v1/operational-webhook/endpoint")).Single(e => (string?)e!["url"] == _receiver.Url("/ops"))!;
        Assert.Equal([(string)ops["id"]!], sentTo.Select(s => s.EndpointId));
    }

    [Fact]
    public async Task AFullBatch_IsSentWithoutWaitingForTheInterval_AndTheRestAfterIt()
    {
        await StartAsync(batchSize: 2);
        await _admin.CreateEndpointAsync("acme", _receiver.Url("/ok"));
        var sent = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            sent.Add((string)(await _admin.PublishAsync("acme"))["id"]!);
        }

        await _receiver.WaitForAsync(1, r => r.Path == "/ops");
        Assert.Equal([2], Batches().Select(b => b.Count));
        await BufferedAsync(1);

        _herald.Time!.Advance(Interval);
        await _receiver.WaitForAsync(2, r => r.Path == "/ops");

        Assert.Equal([2, 1], Batches().Select(b => b.Count));
        Assert.Equal(sent.Order(), Batches().SelectMany(b => b).Select(e => (string)e!["msgId"]!).Order());
    }

    [Fact]
    public async Task WhatIsBufferedAtShutdown_IsPublished()
    {
        await StartAsync();
        await _admin.CreateEndpointAsync("acme", _receiver.Url("/ok"));
        var msgId = (string)(await _admin.PublishAsync("acme"))["id"]!;
        await BufferedAsync(1);

        var stopped = new TaskCompletionSource();
        _herald.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() => stopped.TrySetResult());
        _herald.StopServer();
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The interval never passed: the batch was published on the way out, and stored for the next start to send.
        // (On the fake clock again: on today's date the restarted server's retention would find the message expired.)
        using var restarted = _herald.OnSameData().WithFakeTime();
        var store = restarted.Services.GetRequiredService<IHeraldStore>();
        var everything = new PageRequest(250, null, Backward: false, Descending: false);
        var logs = (await store.ListMessagesAsync(OperationalWebhooks.ApplicationId, new MessageFilter(EventTypes: ["message.attempt.log"]), everything, CancellationToken.None)).Items;
        var payload = JsonNode.Parse(Assert.Single(logs).Payload!)!;
        Assert.Equal(msgId, (string?)Assert.Single(payload["data"]!.AsArray())!["msgId"]);
    }
}
